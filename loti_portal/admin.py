import functools
from collections.abc import Sequence

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.text import capfirst


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record staff may read but never add, change or delete (audit log, outboxes)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NamedDateTimeHalvesMixin:
    """Names each half of a split date and time field ("Start: date", "Start: time").

    The field's label belongs to neither input, so without a name of their own screen readers
    announce both as unlabelled.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            label = formfield.label or capfirst(db_field.verbose_name)
            date, time = formfield.widget.widgets
            date.attrs["aria-label"] = f"{label}: date"
            time.attrs["aria-label"] = f"{label}: time"
        return formfield


class LabelledTabularInline(NamedDateTimeHalvesMixin, admin.TabularInline):
    """A tabular inline whose inputs are named after their column.

    Django admin shows each field's label once, as a column heading, which labels none of the
    inputs below it: each input, the "Delete" box too, gets its field's label as its name.
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    if not field.widget.is_hidden:
                        field.widget.attrs.setdefault("aria-label", str(field.label or pretty_name(name)))

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet


class ValuesWithBlankFieldListFilter(admin.AllValuesFieldListFilter):
    """Django's filter by each value in use, where a blank value is listed as "No <field>"
    rather than as a link with no text."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": f"No {self.title}"}
            yield choice


class EachSelectedMixin:
    """An admin action that makes one service call per selected row: rows the service refuses
    (ValidationError) are reported one by one as warnings, the others counted in one message."""

    def apply_each(self, request, rows, change, done: str) -> int:
        """Call change(row) for each row; `done` is the success message, with `{count}`."""
        succeeded = 0
        for row in rows:
            try:
                change(row)
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], messages.WARNING)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done.format(count=succeeded), messages.SUCCESS)
        return succeeded


class PagesRenewedMixin:
    """Every write staff make through this admin shows on the site's pages at once.

    Pages are kept whole under versions of what they show (loti_portal/versions.py); the services
    renew them, but admin also saves forms and inlines itself, deletes rows and runs actions.
    Saving a form (with its inlines), deleting one row or many, and every action renew the
    versions of the rows they touched, through the admin's `pages_changed(rows)`, which names the
    versions (events, networks, people) that show those rows. Rows to be deleted are named before
    they go. Not model signals: a service already renews what it changes, and bulk updates send
    none.
    """

    def pages_changed(self, rows: Sequence) -> None:
        raise NotImplementedError(f"{type(self).__name__} must say which pages show its rows")

    def save_related(self, request, form, formsets, change):
        # Admin calls this after save_model (which admins override to call their service) for
        # every form saved, once the inlines (speakers, questions, invitations, domains) are too.
        super().save_related(request, form, formsets, change)
        self.pages_changed([form.instance])

    def delete_model(self, request, obj):
        self.pages_changed([obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self.pages_changed(list(queryset))
        super().delete_queryset(request, queryset)

    def get_actions(self, request):
        return {
            name: (_renewing_pages(func), name, description)
            for name, (func, name, description) in super().get_actions(request).items()
        }


def _renewing_pages(action):
    @functools.wraps(action)
    def renewing(modeladmin, request, queryset):
        rows = list(queryset)
        response = action(modeladmin, request, queryset)
        modeladmin.pages_changed(rows)
        return response

    return renewing
