"""Deleting a person in admin deletes their account as they would themselves (account_delete):
their places are given up, their memberships ended and their personal data removed, not only
the user row."""

from django.contrib import admin

from accounts.admin import UserAdmin
from accounts.models import User

from .services import account_delete


class AccountDeletingUserAdmin(UserAdmin):
    def delete_model(self, request, obj):
        self.pages_changed([obj])
        account_delete(user=obj)

    def delete_queryset(self, request, queryset):
        people = list(queryset)
        self.pages_changed(people)
        for person in people:
            account_delete(user=person)


admin.site.unregister(User)
admin.site.register(User, AccountDeletingUserAdmin)
