from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from networks.forms import Checkboxes, Radios

from .models import (
    AGREED_GOALS_MAX_LENGTH,
    MAX_MENTORS_ASKED,
    FitAnswer,
    FocusArea,
    MentoringProfile,
    MentoringProgramme,
    PairingFeedback,
)


def _optional_text(
    label: str, *, help_text: str, max_length: int, rows: int, too_long: str
) -> forms.CharField:
    """A text box a person may leave empty, with the message shown when they write too much."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": too_long},
    )


class SignUpStepForm(forms.Form):
    """One task of the sign-up list, filled in from the person's profile so far (None before the
    first task). Each step says what it shows of the profile (initial_from)."""

    def __init__(self, data=None, *, programme: MentoringProgramme, profile: MentoringProfile | None):
        super().__init__(data, initial=self.initial_from(profile))
        self.programme = programme
        self.profile = profile

    def initial_from(self, profile: MentoringProfile | None) -> dict:
        return {}


class ProfileAboutForm(SignUpStepForm):
    role = forms.ChoiceField(
        label="How would you like to take part?",
        choices=MentoringProfile.Role.choices,
        widget=Radios,
        error_messages={"required": "Choose whether you would like to be a mentor, a mentee or both"},
    )
    meeting_format = forms.ChoiceField(
        label="How would you like to meet?",
        choices=MentoringProfile.MeetingFormat.choices,
        widget=Radios,
        error_messages={"required": "Choose how you would like to meet"},
    )
    prefers_outside_organisation = forms.BooleanField(
        label="I would prefer someone from outside my organisation", required=False
    )
    capacity = forms.IntegerField(
        label="If you mentor: how many mentees can you take?",
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
        error_messages={
            "min_value": "Enter a number of mentees of 1 or more",
            "invalid": "Enter a whole number",
        },
    )
    about = _optional_text(
        "About you",
        help_text="What other participants see: your experience, and what you can help with or want "
        "help with.",
        max_length=1500,
        rows=4,
        too_long="About you must be 1,500 characters or fewer",
    )
    show_job_title = forms.BooleanField(label="Show my job title to other participants", required=False)
    show_organisation = forms.BooleanField(label="Show my organisation to other participants", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = self.programme.max_mentees_per_mentor
        self.fields["capacity"].max_value = limit
        self.fields["capacity"].help_text = f"Between 1 and {limit}."
        self.fields["capacity"].validators.append(MaxValueValidator(limit))
        self.fields["capacity"].error_messages["max_value"] = f"Enter a number of mentees of {limit} or fewer"

    def initial_from(self, profile):
        if profile is None:
            return {"show_job_title": True, "show_organisation": True}
        return {
            "role": profile.role,
            "meeting_format": profile.meeting_format,
            "prefers_outside_organisation": profile.prefers_outside_organisation,
            "capacity": profile.capacity or None,
            "about": profile.about,
            "show_job_title": profile.show_job_title,
            "show_organisation": profile.show_organisation,
        }

    def clean(self):
        data = super().clean()
        mentors = data.get("role") in (MentoringProfile.Role.MENTOR, MentoringProfile.Role.BOTH)
        if mentors and not data.get("capacity") and "capacity" not in self.errors:
            self.add_error("capacity", "Enter how many mentees you can take")
        return data


class ProfileGoalsForm(SignUpStepForm):
    focus_areas = forms.ModelMultipleChoiceField(
        label="Focus areas",
        help_text="Choose all that apply.",
        queryset=FocusArea.objects.none(),
        widget=Checkboxes,
        error_messages={"required": "Choose at least one focus area"},
    )
    goal_1 = forms.CharField(
        label="Goal 1",
        max_length=300,
        error_messages={
            "required": "Write at least one goal",
            "max_length": "A goal must be 300 characters or fewer",
        },
    )
    goal_2 = forms.CharField(label="Goal 2 (optional)", max_length=300, required=False)
    goal_3 = forms.CharField(label="Goal 3 (optional)", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = self.programme.focus_areas.all()
        for name in ("goal_2", "goal_3"):
            self.fields[name].error_messages["max_length"] = "A goal must be 300 characters or fewer"

    def initial_from(self, profile):
        goals = [*profile.goals, "", "", ""]
        return {
            "focus_areas": list(profile.focus_areas.all()),
            **{f"goal_{n}": goals[n - 1] for n in (1, 2, 3)},
        }

    def goals(self) -> list[str]:
        return [self.cleaned_data[f"goal_{number}"] for number in (1, 2, 3)]


class CodeOfConductForm(SignUpStepForm):
    accept = forms.BooleanField(
        label="I have read the code of conduct and agree to follow it",
        error_messages={"required": "Confirm that you agree to follow the code of conduct"},
    )


class MentoringRequestForm(forms.Form):
    """Up to three mentors, in the order the mentee would like them asked."""

    ORDINALS = ("First", "Second", "Third")

    def __init__(self, *args, mentors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a mentor"), *mentors]
        for number in range(1, MAX_MENTORS_ASKED + 1):
            self.fields[f"choice_{number}"] = forms.TypedChoiceField(
                label=f"{self.ORDINALS[number - 1]} choice" + ("" if number == 1 else " (optional)"),
                choices=choices,
                coerce=int,
                required=number == 1,
                empty_value=None,
                error_messages={"required": "Choose the mentor you would like to ask first"},
            )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"choice_{number}") for number in range(1, MAX_MENTORS_ASKED + 1)]
        seen = set()
        for number, mentor_id in enumerate(chosen, start=1):
            if mentor_id is None:
                continue
            if mentor_id in seen:
                self.add_error(f"choice_{number}", "Choose each mentor only once")
            seen.add(mentor_id)
        return data

    def mentor_ids(self) -> list[int]:
        return [
            self.cleaned_data[f"choice_{number}"]
            for number in range(1, MAX_MENTORS_ASKED + 1)
            if self.cleaned_data.get(f"choice_{number}")
        ]


class CheckInForm(forms.Form):
    met_on = forms.DateField(
        label="Date you met",
        help_text="For example, 27 3 2026. Write it as day month year, or 2026-03-27.",
        input_formats=["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={
            "required": "Enter the date you met",
            "invalid": "Enter the date you met as day month year",
        },
    )
    note = _optional_text(
        "Note (optional)",
        help_text="Only you and the other person in the pairing can see it. The networks team cannot.",
        max_length=3000,
        rows=4,
        too_long="The note must be 3,000 characters or fewer",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"met_on": timezone.localdate().strftime("%d %m %Y")})
        super().__init__(*args, **kwargs)


class FitForm(forms.Form):
    answer = forms.ChoiceField(
        label="How is the pairing going?",
        choices=FitAnswer.Answer.choices,
        widget=Radios,
        error_messages={"required": "Choose how the pairing is going"},
    )


class EndEarlyForm(forms.Form):
    reason = _optional_text(
        "Why are you ending the pairing? (optional)",
        help_text="The other person and the networks team see this.",
        max_length=1000,
        rows=3,
        too_long="The reason must be 1,000 characters or fewer",
    )


class AgreedGoalsForm(forms.Form):
    agreed_goals = forms.CharField(
        label="What you agreed to work on",
        help_text="Either of you can change these. Only the two of you and the networks team see them.",
        max_length=AGREED_GOALS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the goals you agreed",
            "max_length": f"Goals must be {AGREED_GOALS_MAX_LENGTH:,} characters or fewer",
        },
    )


class FeedbackForm(forms.Form):
    usefulness = forms.TypedChoiceField(
        label="How useful was the mentoring for you?",
        choices=PairingFeedback.Usefulness.choices,
        coerce=int,
        widget=Radios,
        error_messages={"required": "Choose how useful the mentoring was"},
    )
    would_recommend = forms.TypedChoiceField(
        label="Would you recommend the programme to a colleague?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=Radios,
        error_messages={"required": "Choose whether you would recommend the programme"},
    )
    comments = _optional_text(
        "Anything else you would like to tell the networks team? (optional)",
        help_text="The team reads feedback only together with other people's, without names.",
        max_length=2000,
        rows=4,
        too_long="Your comments must be 2,000 characters or fewer",
    )


class CirclePlacementForm(forms.Form):
    note = _optional_text(
        "What would you like from a circle? (optional)",
        help_text="For example the topics you would like to talk about, or when you can meet.",
        max_length=1000,
        rows=3,
        too_long="This must be 1,000 characters or fewer",
    )
