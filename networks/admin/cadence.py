"""A change of cadence in admin shows the next six meetings before it is saved, and a meeting
that would start within the notice period is made only when staff tick that they want it."""

import copy

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from events.formatting import format_when

from ..meetings import meetings_notice, meetings_preview
from ..services import CADENCE_FIELDS

# Form fields that are not the network's: left out of what the audit says changed.
PREVIEW_FIELDS = ("cadence_checked", "within_notice")


class CadencePreviewForm(forms.ModelForm):
    cadence_checked = forms.BooleanField(
        label="The next meetings listed here are right",
        required=False,
        help_text="Asked when the cadence is new or changes.",
    )
    within_notice = forms.BooleanField(
        label="Also create the meetings within the notice period",
        required=False,
        help_text="Asked when a meeting would start before its first reminder is due.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors or not (self.instance.pk is None or set(CADENCE_FIELDS) & set(self.changed_data)):
            return cleaned
        candidate = copy.copy(self.instance)
        for name, value in cleaned.items():
            if name not in PREVIEW_FIELDS and hasattr(candidate, name):
                setattr(candidate, name, value)
        if candidate.cadence_starts_on is None:
            candidate.cadence_starts_on = timezone.localdate().replace(day=1)  # as Network.clean does
        preview = meetings_preview(network=candidate)
        if not preview or not candidate.is_active:
            return cleaned
        notice = int(meetings_notice(candidate).total_seconds() // 3600)
        self._explain(
            "cadence_checked",
            format_html(
                "The next {} meetings:<ul>{}</ul>",
                len(preview),
                format_html_join(
                    "",
                    "<li>{}{}</li>",
                    (
                        (
                            format_when(meeting["start"], meeting["end"]),
                            f" (within the {notice}-hour notice period: made only if you tick the box below)"
                            if meeting["within_notice"]
                            else "",
                        )
                        for meeting in preview
                    ),
                ),
            ),
        )
        near = [meeting for meeting in preview if meeting["within_notice"]]
        if near:
            first_after = next((meeting for meeting in preview if not meeting["within_notice"]), None)
            self._explain(
                "within_notice",
                format_html(
                    "{} would start within {} hours, before its first reminder is due: members would "
                    "hear of it at short notice. Leave this unticked and the first meeting is {}.",
                    " and ".join(format_when(meeting["start"], meeting["end"]) for meeting in near),
                    notice,
                    format_when(first_after["start"], first_after["end"]) if first_after else "a later one",
                ),
            )
        if not cleaned.get("cadence_checked"):
            self.add_error(
                "cadence_checked",
                "Check the next meetings listed under this box, then tick it and save again.",
            )
        return cleaned

    def _explain(self, name: str, text: str) -> None:
        """Show `text` under the field (its bound field was made, and keeps its own copy of the
        help text, when the form worked out what changed)."""
        self.fields[name].help_text = text
        self[name].help_text = text

    def _explain(self, name: str, text: str) -> None:
        """Show `text` under the field (its bound field was made, and keeps its own copy of the
        help text, when the form worked out what changed)."""
        self.fields[name].help_text = text
        self[name].help_text = text
