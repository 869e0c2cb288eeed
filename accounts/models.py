from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.functions import Lower
from django.utils import timezone

from loti_portal.sql import by_pk


class Organisation(models.Model):
    class Kind(models.TextChoices):
        BOROUGH = "borough", "London borough"
        PARTNER = "partner", "Public-sector partner"
        SUPPLIER = "supplier", "Supplier"
        OTHER = "other", "Other"

    class MembershipStatus(models.TextChoices):
        MEMBER = "member", "LOTI member"
        NOT_MEMBER = "not_member", "Not a LOTI member"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    membership_status = models.CharField(
        "LOTI membership status",
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.NOT_MEMBER,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_loti_member(self) -> bool:
        return self.membership_status == self.MembershipStatus.MEMBER


domain_validator = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "Enter a domain such as camden.gov.uk, in lower case, without @ or http://.",
)


class OrganisationDomain(models.Model):
    """An email domain that belongs to an organisation; its subdomains belong to it too."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, validators=[domain_validator])

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get(self, *args, **kwargs):
        """`get(pk=…)` with a whole number, as Django's sign-in backend asks on every signed-in
        request, reads the person with one row of our own SQL and builds them as the ORM does
        (loti_portal.sql.instances): building the ORM's query would cost more than the rest of a
        kept page. Any other lookup, or another database, is the ORM's own."""
        pk = kwargs.get("pk")
        if args or len(kwargs) != 1 or type(pk) is not int or self.db != DEFAULT_DB_ALIAS:
            return super().get(*args, **kwargs)
        return by_pk(self.model, pk)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Their email address is their login; there is no username."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    organisation_decided_for = models.EmailField(
        "address the organisation was decided for",
        max_length=254,
        blank=True,
        editable=False,
        help_text="The primary address that was on the organisation's domain, or that staff "
        "decided for. A change to an address outside the domain ends the link until staff decide.",
    )
    requested_organisation_name = models.CharField(
        "organisation awaiting review",
        max_length=200,
        blank=True,
        help_text="The organisation the person says they work for while staff review it "
        "(Organisation requests). Until then they have only what anyone signed in has.",
    )
    show_name_to_attendees = models.BooleanField(
        "show my name to other attendees",
        default=False,
        help_text="Whether people with a place at the same event can see this person's name on it.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class OrganisationRequest(models.Model):
    """A person's claim to work for an organisation that their address does not prove.

    Choosing an organisation from the list at sign-up, naming a new one, or changing to an address
    outside the domains of the organisation they were linked to: each is a request, and the person
    is not linked (and has no access that depends on the organisation) until staff decide it.
    """

    class Source(models.TextChoices):
        CHOSE_FROM_LIST = "chose", "Chose it from the list at sign-up"
        NAMED_NEW = "named", "Named a new organisation at sign-up"
        ADDRESS_CHANGED = "address_changed", "Changed to an address outside its domains"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Settled by a confirmed address"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_requests")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        help_text="The organisation on the list the person named; empty for a new one.",
    )
    name = models.CharField("organisation named", max_length=200)
    source = models.CharField(max_length=20, choices=Source.choices)
    email = models.EmailField("address when asked", max_length=254)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisation_decisions"
    )
    linked_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organisation the person was linked to by the decision.",
    )
    decision_reason = models.CharField(max_length=500, blank=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    person_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="accounts_organisationrequest_one_pending_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.name}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class AuditEntry(models.Model):
    """Who did what to which object, and when. Written by services; read-only in admin."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.action} {self.target_repr}"
