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
