from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record staff may read but never add, change or delete (audit log, outboxes)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
