"""Staff work on mentoring in Django admin. Pairings are made and ended through
mentoring.services, so they are checked, audited and emailed like any other change.

Check-in notes are for the pair only: admin shows when pairs met, never what they wrote.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import User
from loti_portal import versions
from loti_portal.admin import NamedDateTimeHalvesMixin, PagesRenewedMixin
from loti_portal.csv_export import csv_response
from networks.models import Membership, Network

from . import circles, selectors, services
from .models import (
    CIRCLE_CADENCE_REQUIRED,
    CIRCLE_MAX_MEMBERS,
    CIRCLE_MIN_MEMBERS,
    FEEDBACK_MIN_ANSWERS,
    CirclePlacementRequest,
    FitAnswer,
    FocusArea,
    MentoringProfile,
    MentoringProgramme,
    MentoringRequest,
    Pairing,
    PeerCircle,
)


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(MentoringProgramme)
class MentoringProgrammeAdmin(PagesRenewedMixin, NamedDateTimeHalvesMixin, admin.ModelAdmin):
    list_display = ["name", "network", "is_open", "matching_mode", "starts_on", "ends_on", "shortlist_link"]
    list_filter = ["network", "is_open", "matching_mode"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Plain checkboxes: Django's two-box chooser fails axe (its search icons).
        if db_field.name == "focus_areas":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.programme_save(programme=obj, changed_fields=form.changed_data, acting_user=request.user)

    def pages_changed(self, rows):
        # A network's page lists its programmes.
        _networks_changed(network_ids={programme.network_id for programme in rows})

    def get_urls(self):
        return [
            path(
                "<int:programme_id>/feedback/",
                self.admin_site.admin_view(self.feedback_view),
                name="mentoring_mentoringprogramme_feedback",
            ),
            path(
                "<int:programme_id>/shortlist/",
                self.admin_site.admin_view(self.shortlist_view),
                name="mentoring_mentoringprogramme_shortlist",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Matching and feedback")
    def shortlist_link(self, obj):
        return format_html(
            '<a href="{}">Shortlists<span class="visually-hidden"> for {}</span></a> · '
            '<a href="{}">Feedback<span class="visually-hidden"> on {}</span></a>',
            reverse("admin:mentoring_mentoringprogramme_shortlist", args=[obj.pk]),
            obj.name,
            reverse("admin:mentoring_mentoringprogramme_feedback", args=[obj.pk]),
            obj.name,
        )

    def feedback_view(self, request, programme_id):
        """The programme's feedback in aggregate only (see selectors.feedback_summary)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        programme = get_object_or_404(MentoringProgramme, pk=programme_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Feedback: {programme.name}",
            "programme": programme,
            "summary": selectors.feedback_summary(programme=programme),
            "minimum": FEEDBACK_MIN_ANSWERS,
        }
        return TemplateResponse(request, "admin/mentoring/feedback.html", context)

    def shortlist_view(self, request, programme_id):
        """Each unmatched mentee with their best mentors; staff tick pairs and confirm them at once."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        programme = get_object_or_404(MentoringProgramme.objects.select_related("network"), pk=programme_id)
        if request.method == "POST":
            pairs = []
            for key, value in request.POST.items():
                if not key.startswith("pair-"):
                    continue
                mentee_id, _, mentor_id = value.partition(":")
                if mentee_id.isdigit() and mentor_id.isdigit():
                    pairs.append((int(mentee_id), int(mentor_id)))
            mentees = [mentee for mentee, _ in pairs]
            if not pairs:
                messages.error(request, "Choose at least one pair to confirm.")
            elif len(set(mentees)) != len(mentees):
                messages.error(request, "Choose one mentor for each mentee.")
            else:
                try:
                    made = services.pairings_confirm(
                        programme=programme, pairs=pairs, acting_user=request.user
                    )
                except ValidationError as exc:
                    messages.error(request, exc.messages[0])
                else:
                    messages.success(
                        request,
                        f"{len(made)} pairing{'s' if len(made) != 1 else ''} proposed. "
                        "The mentors have been asked to accept.",
                    )
                    return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Shortlists: {programme.name}",
            "programme": programme,
            "rows": selectors.shortlist(programme=programme),
        }
        return TemplateResponse(request, "admin/mentoring/shortlist.html", context)


@admin.register(MentoringProfile)
class MentoringProfileAdmin(admin.ModelAdmin):
    """Read only: people make and change their profiles through the sign-up task list."""

    list_display = ["user", "programme", "role", "capacity", "meeting_format", "is_complete_display"]
    list_filter = ["programme", "role"]
    search_fields = ["user__full_name", "user__email"]
    list_select_related = ["user", "programme"]
    fields = [
        "programme", "user", "role", "meeting_format", "prefers_outside_organisation", "capacity", "about",
        "focus_areas_display", "goals_display", "code_of_conduct_accepted_at", "withdrawn_at", "created_at",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Signed up", boolean=True)
    def is_complete_display(self, obj):
        return obj.is_complete

    @admin.display(description="Focus areas")
    def focus_areas_display(self, obj):
        return ", ".join(area.name for area in obj.focus_areas.all()) or "-"

    @admin.display(description="Goals")
    def goals_display(self, obj):
        return "; ".join(obj.goals) or "-"


@admin.register(MentoringRequest)
class MentoringRequestAdmin(admin.ModelAdmin):
    list_display = ["mentee", "programme", "state", "created_at"]
    list_filter = ["state", "programme"]
    list_select_related = ["mentee", "programme"]
    readonly_fields = ["programme", "mentee", "mentors", "state", "created_at", "closed_at"]

    def has_add_permission(self, request):
        return False


class AtRiskFilter(admin.SimpleListFilter):
    title = "at risk"
    parameter_name = "at_risk"

    def lookups(self, request, model_admin):
        return [("yes", "At risk: check-in overdue or not a good fit"), ("no", "Not at risk")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        at_risk = Q(state__in=Pairing.CURRENT_STATES) & (
            Q(check_in_due_on__lt=timezone.localdate()) | Q(not_good_fit=True)
        )
        return queryset.filter(at_risk) if self.value() == "yes" else queryset.exclude(at_risk)


class RePairForm(forms.Form):
    mentor = forms.ChoiceField(
        label="New mentor",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new mentor", "invalid_choice": "Choose the new mentor"},
    )
    reason = forms.CharField(
        label="Why the pairing is ending",
        help_text="Both people see this in the email that tells them.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the pairing is ending",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [
            (
                candidate.mentor.user_id,
                f"{candidate.mentor.user.full_name}: score {candidate.score}, "
                f"{candidate.places_left} place{'s' if candidate.places_left != 1 else ''} left",
            )
            for candidate in candidates
        ]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "programme", "state", "last_check_in", "ends_on", "at_risk"]
    list_filter = ["state", AtRiskFilter, "programme"]
    search_fields = ["mentor__full_name", "mentee__full_name"]
    list_select_related = ["mentor", "mentee", "programme"]
    actions = ["export_csv", "end_early"]
    fields = [
        "programme", "mentor", "mentee", "state", "agreed_goals", "cadence_days", "ends_on", "proposed_at",
        "accepted_at", "declined_at", "ended_at", "end_reason", "check_in_due_on", "fit_answers_display",
        "re_pair_link",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # staff make pairings from a programme's shortlists

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_met_on=Max("check_ins__met_on"),
                not_good_fit=Exists(
                    FitAnswer.objects.filter(pairing=OuterRef("pk"), answer=FitAnswer.Answer.NOT_GOOD)
                ),
            )
        )

    def get_urls(self):
        return [
            path(
                "<int:pairing_id>/re-pair/",
                self.admin_site.admin_view(self.re_pair_view),
                name="mentoring_pairing_re_pair",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Re-pair")
    def re_pair_link(self, obj):
        if obj.state not in Pairing.CURRENT_STATES or obj.mentee_id is None:
            return "-"
        return format_html(
            '<a href="{}">End this pairing and pair {} with another mentor</a>',
            reverse("admin:mentoring_pairing_re_pair", args=[obj.pk]),
            obj.mentee_person.full_name,
        )

    def re_pair_view(self, request, pairing_id):
        """End a pairing early with a reason and propose the mentee to another mentor, in one step
        (services.pairing_repair): the mentee's best mentors with a free place are offered first."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        pairing = get_object_or_404(
            Pairing.objects.select_related("programme", "mentor", "mentee"),
            pk=pairing_id,
            state__in=Pairing.CURRENT_STATES,
            mentee__isnull=False,
        )
        profile = MentoringProfile.objects.filter(programme=pairing.programme, user=pairing.mentee).first()
        candidates = [
            candidate
            for candidate in (
                selectors.mentors_for_mentee(programme=pairing.programme, mentee=profile) if profile else []
            )
            if candidate.mentor.user_id not in (pairing.mentor_id, pairing.mentee_id)
        ]
        form = RePairForm(request.POST or None, candidates=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                new = services.pairing_repair(
                    pairing=pairing,
                    mentor_id=int(form.cleaned_data["mentor"]),
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    f"The pairing has ended. {new.mentor.full_name} has been asked to mentor "
                    f"{new.mentee.full_name}.",
                    messages.SUCCESS,
                )
                return redirect("admin:mentoring_pairing_change", new.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Re-pair {pairing.mentee.full_name}",
            "pairing": pairing,
            "form": form,
        }
        return TemplateResponse(request, "admin/mentoring/re_pair.html", context)

    @admin.display(description="Last check-in", ordering="last_met_on")
    def last_check_in(self, obj):
        return obj.last_met_on or "None yet"

    @admin.display(description="At risk", boolean=True)
    def at_risk(self, obj):
        if obj.state not in Pairing.CURRENT_STATES:
            return None
        return bool(obj.not_good_fit or obj.check_in_overdue)

    @admin.display(description="How it fits")
    def fit_answers_display(self, obj):
        answers = obj.fit_answers.select_related("user")
        return (
            "; ".join(f"{answer.user.full_name}: {answer.get_answer_display()}" for answer in answers) or "-"
        )

    @admin.action(description="Export chosen pairings as CSV")
    def export_csv(self, request, queryset):
        rows = (
            (
                pairing.programme.name, pairing.mentor_person.full_name, pairing.mentee_person.full_name,
                pairing.get_state_display(), pairing.accepted_at.date() if pairing.accepted_at else "",
                pairing.ends_on or "", pairing.last_met_on or "",
                "yes" if self.at_risk(pairing) else "",
            )
            for pairing in queryset
        )  # fmt: skip
        header = ["Programme", "Mentor", "Mentee", "State", "Started", "Ends", "Last check-in", "At risk"]
        return csv_response(filename="mentoring-pairings.csv", header=header, rows=rows)

    @admin.action(description="End chosen pairings early")
    def end_early(self, request, queryset):
        ended = 0
        for pairing in queryset.filter(state__in=Pairing.CURRENT_STATES):
            services.pairing_end_early(
                pairing=pairing, acting_user=request.user, reason="Ended by the networks team."
            )
            ended += 1
        self.message_user(request, f"{ended} pairing{'s' if ended != 1 else ''} ended.", messages.SUCCESS)


# --- peer-support circles ----------------------------------------------------------------------


class PeerCircleForm(forms.ModelForm):
    """A circle, plus who to add or take out: changes of members go through mentoring.circles."""

    add_members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Active members of the network not in the circle. A circle has {CIRCLE_MIN_MEMBERS} to "
        f"{CIRCLE_MAX_MEMBERS} people. For a new circle, save it first.",
    )
    discussion_url = forms.URLField(
        label="Discussion link", required=False, assume_scheme="https", help_text="Optional. Members only."
    )
    meeting_online_url = forms.URLField(label="Meeting joining link", required=False, assume_scheme="https")
    remove_members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = PeerCircle
        fields = [
            "network", "name", "slug", "description", "discussion_url", "is_open", "frequency",
            "cadence_week", "cadence_weekday", "cadence_start_time", "cadence_duration_minutes",
            "cadence_starts_on", "meeting_online_url", "meeting_venue",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional for a network (MeetingCadence), a circle's cadence is whole (PeerCircle.clean).
        for name, message in CIRCLE_CADENCE_REQUIRED.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        circle = self.instance
        if circle.pk:
            current = User.objects.filter(
                circle_memberships__circle=circle, circle_memberships__left_at__isnull=True
            )
            self.fields["remove_members"].queryset = current.order_by("full_name")
            self.fields["add_members"].queryset = (
                User.objects.filter(
                    memberships__network=circle.network_id, memberships__status=Membership.Status.ACTIVE
                )
                .exclude(pk__in=current.values("pk"))
                .order_by("full_name")
            )


@admin.register(PeerCircle)
class PeerCircleAdmin(PagesRenewedMixin, NamedDateTimeHalvesMixin, admin.ModelAdmin):
    form = PeerCircleForm
    list_display = ["name", "network", "member_count", "cadence_in_words"]
    list_filter = ["network"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "current_members"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("network")
            .annotate(members_now=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        )

    @admin.display(description="Members", ordering="members_now")
    def member_count(self, obj):
        return obj.members_now

    @admin.display(description="Members now")
    def current_members(self, obj):
        names = obj.memberships.filter(left_at__isnull=True).values_list("user__full_name", flat=True)
        return ", ".join(names) or "Nobody yet"

    def pages_changed(self, rows):
        # A network's page lists its circles, their sizes and whether the person is in one.
        _networks_changed(network_ids={circle.network_id for circle in rows})

    def save_model(self, request, obj, form, change):
        circles.circle_save(circle=obj, changed_fields=form.changed_data, acting_user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for user in form.cleaned_data.get("remove_members") or []:
            circles.circle_member_remove(circle=form.instance, user=user, acting_user=request.user)
        for user in form.cleaned_data.get("add_members") or []:
            try:
                circles.circle_member_add(circle=form.instance, user=user, acting_user=request.user)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])


@admin.register(CirclePlacementRequest)
class CirclePlacementRequestAdmin(PagesRenewedMixin, admin.ModelAdmin):
    list_display = ["user", "network", "created_at", "placed_in", "closed_at"]
    list_filter = ["network", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "network", "placed_in"]
    readonly_fields = ["network", "user", "note", "created_at", "placed_in", "closed_at"]

    def has_add_permission(self, request):
        return False

    def pages_changed(self, rows):
        # A network's page tells the person who asked that they are waiting to be placed.
        for user_id in {placement.user_id for placement in rows}:
            versions.person_changed(user_id=user_id)


def _networks_changed(*, network_ids: set[int]) -> None:
    for slug in Network.objects.filter(pk__in=network_ids).values_list("slug", flat=True):
        versions.network_changed(slug=slug)
