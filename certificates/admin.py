from django.contrib import admin

from .models import Certificate


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Certificates people have downloaded: read only (a certificate is made by its download)."""

    list_display = ["code", "registration", "issued_at"]
    search_fields = ["code", "registration__event__title"]
    list_select_related = ["registration__event", "registration__user"]
    readonly_fields = ["code", "registration", "issued_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
