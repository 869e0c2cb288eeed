from django.db import models
from django.utils import timezone


class Certificate(models.Model):
    """The certificate of one person's attendance at one training session: made the first time
    they download it, and kept so that its verification code stays the same.

    It holds no personal data of its own: the name printed and confirmed is read from the
    registration (the account's name, or the name a guest gave), so deleting the registration or
    the account's link to it removes the certificate too (certificates.privacy)."""

    registration = models.OneToOneField(
        "events.Registration", on_delete=models.CASCADE, related_name="certificate"
    )
    code = models.CharField(max_length=20, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "id"]

    def __str__(self):
        return f"Certificate {self.code}"
