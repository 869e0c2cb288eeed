"""Member pages for mentoring. Thin: selector → form → one service call → redirect and message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from networks.models import Network

from . import circles, selectors, services
from .calendar import circle_ics
from .forms import (
    AgreedGoalsForm,
    CheckInForm,
    CirclePlacementForm,
    CodeOfConductForm,
    EndEarlyForm,
    FeedbackForm,
    FitForm,
    MentoringRequestForm,
    ProfileAboutForm,
    ProfileGoalsForm,
)
from .models import Pairing


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _tasks(profile) -> list[dict]:
    """The sign-up task list: each task with whether it is done."""
    return [
        {"name": "about", "title": "About you and how you would like to meet", "done": profile is not None},
        {
            "name": "goals",
            "title": "Your focus areas and goals",
            "done": bool(profile and profile.goals_saved_at),
            "can_start": profile is not None,
        },
        {
            "name": "code",
            "title": "Agree to the code of conduct",
            "done": bool(profile and profile.code_of_conduct_accepted_at),
            "can_start": profile is not None,
        },
    ]


@login_required
@require_GET
def programme_detail(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    profile = selectors.profile_for_user(user=request.user, programme=programme)
    tasks = _tasks(profile)
    context = {
        "programme": programme,
        "profile": profile,
        "tasks": tasks,
        "tasks_done": sum(task["done"] for task in tasks),
        "is_member": selectors.is_active_member(user=request.user, network=programme.network),
    }
    return render(request, "mentoring/programme_detail.html", context)


def _own_profile_or_redirect(request, programme):
    profile = selectors.profile_for_user(user=request.user, programme=programme)
    if profile is None:
        messages.error(request, "Start with “About you and how you would like to meet”.")
    return profile


def _form_page(request, *, form, save, done: str | None, then: str, template: str, context: dict):
    """A page of one form: on a valid POST one service call (`save(form)`), then the message
    `done` (if any) and the address `then`. A refusal is shown next to its field and nothing is
    stored; otherwise the page (`template` with the form and `context`) is drawn."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if done:
                messages.success(request, done)
            return redirect(then)
    return render(request, template, {**context, "form": form})


def _sign_up_step(request, *, programme, form, save, template: str, context: dict | None = None):
    """One task of the sign-up list: the form, and on a valid POST one service call (`save(form)`),
    then back to the task list."""
    return _form_page(
        request,
        form=form,
        save=save,
        done=None,
        then=reverse("mentoring:programme-detail", args=[programme.slug]),
        template=template,
        context={"programme": programme, **(context or {})},
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


def _pairing_page(pairing) -> str:
    return reverse("mentoring:pairing-detail", args=[pairing.pk])


@login_required
@require_http_methods(["GET", "POST"])
def sign_up_about(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    profile = selectors.profile_for_user(user=request.user, programme=programme)
    return _sign_up_step(
        request,
        programme=programme,
        form=ProfileAboutForm(_posted(request), programme=programme, profile=profile),
        save=lambda form: services.profile_save_about(
            programme=programme,
            user=request.user,
            **{**form.cleaned_data, "capacity": form.cleaned_data["capacity"] or 0},
        ),
        template="mentoring/sign_up_about.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_up_goals(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    profile = _own_profile_or_redirect(request, programme)
    if profile is None:
        return redirect("mentoring:programme-detail", slug=programme.slug)
    return _sign_up_step(
        request,
        programme=programme,
        form=ProfileGoalsForm(_posted(request), programme=programme, profile=profile),
        save=lambda form: services.profile_save_goals(
            profile=profile, focus_areas=list(form.cleaned_data["focus_areas"]), goals=form.goals()
        ),
        template="mentoring/sign_up_goals.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_up_code(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    profile = _own_profile_or_redirect(request, programme)
    if profile is None:
        return redirect("mentoring:programme-detail", slug=programme.slug)

    def accept(form):
        if services.profile_accept_code_of_conduct(profile=profile).is_complete:
            messages.success(request, f"You have signed up to {programme.name}.")

    return _sign_up_step(
        request,
        programme=programme,
        form=CodeOfConductForm(_posted(request), programme=programme, profile=profile),
        save=accept,
        template="mentoring/sign_up_code.html",
        context={"profile": profile},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_list(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    profile = selectors.profile_for_user(user=request.user, programme=programme)
    if not programme.is_request_mode or profile is None or not profile.is_complete or not profile.is_mentee:
        raise Http404("No mentor list for this person")
    candidates = selectors.mentors_for_mentee(programme=programme, mentee=profile)
    form = MentoringRequestForm(
        _posted(request),
        mentors=[(candidate.mentor.user_id, candidate.mentor.user.full_name) for candidate in candidates],
    )
    return _form_page(
        request,
        form=form,
        save=lambda form: services.request_create(
            programme=programme, mentee=request.user, mentor_ids=form.mentor_ids()
        ),
        done="Your request has been sent. We will email you when a mentor answers.",
        then=reverse("mentoring:yours"),
        template="mentoring/mentor_list.html",
        context={"programme": programme, "candidates": candidates},
    )


@login_required
@require_GET
def profile_detail(request, slug, profile_id):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    profile = selectors.profile_get_for_user(user=request.user, programme=programme, profile_id=profile_id)
    return render(request, "mentoring/profile_detail.html", {"programme": programme, "shown": profile})


@login_required
@require_GET
def my_mentoring(request):
    pairings = selectors.pairings_for_user(user=request.user)
    waiting = selectors.waiting_requests_for_user(user=request.user)
    names = selectors.mentor_names(ids=[mentor_id for item in waiting for mentor_id in item.mentors])
    for item in waiting:
        item.mentor_names = [names.get(mentor_id, "") for mentor_id in item.mentors]
    context = {
        "pairings": pairings,
        "waiting": waiting,
        "profiles": selectors.profiles_for_user(user=request.user),
    }
    return render(request, "mentoring/my_mentoring.html", context)


@login_required
@require_GET
def pairing_detail(request, pairing_id):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    my_fit = pairing.my_fit_answers[0] if pairing.my_fit_answers else None
    context = {
        "pairing": pairing,
        "is_mentor": pairing.mentor_id == request.user.pk,
        "other": pairing.other_person(request.user),
        "check_ins": list(pairing.check_ins.all()),
        "my_fit": my_fit,
        "fit_form": FitForm(initial={"answer": my_fit.answer} if my_fit else None),
    }
    return render(request, "mentoring/pairing_detail.html", context)


def _answer(request, pairing_id, service, done_message):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    try:
        service(pairing=pairing, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, done_message.format(name=pairing.mentee_person.full_name))
    return redirect("mentoring:pairing-detail", pairing_id=pairing.pk)


@login_required
@require_POST
def pairing_accept(request, pairing_id):
    return _answer(request, pairing_id, services.pairing_accept, "You are now {name}'s mentor.")


@login_required
@require_POST
def pairing_decline(request, pairing_id):
    return _answer(request, pairing_id, services.pairing_decline, "You have declined to mentor {name}.")


@login_required
@require_http_methods(["GET", "POST"])
def check_in_log(request, pairing_id):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    if not pairing.is_current:
        messages.error(request, "Check-ins can be logged only while the pairing is under way.")
        return redirect("mentoring:pairing-detail", pairing_id=pairing.pk)
    return _form_page(
        request,
        form=CheckInForm(_posted(request)),
        save=lambda form: services.check_in_log(
            pairing=pairing,
            user=request.user,
            met_on=form.cleaned_data["met_on"],
            note=form.cleaned_data["note"],
        ),
        done="Your check-in has been logged.",
        then=_pairing_page(pairing),
        template="mentoring/check_in_log.html",
        context={"pairing": pairing},
    )


@login_required
@require_POST
def fit_answer(request, pairing_id):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    form = FitForm(request.POST)
    if form.is_valid():
        try:
            services.fit_answer_save(pairing=pairing, user=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "Thank you for telling us how the pairing is going.")
    else:
        messages.error(request, "Choose how the pairing is going")
    return redirect("mentoring:pairing-detail", pairing_id=pairing.pk)


@login_required
@require_http_methods(["GET", "POST"])
def pairing_end(request, pairing_id):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    return _form_page(
        request,
        form=EndEarlyForm(_posted(request)),
        save=lambda form: services.pairing_end_early(
            pairing=pairing, acting_user=request.user, reason=form.cleaned_data["reason"]
        ),
        done="The pairing has ended. We have told the other person.",
        then=reverse("mentoring:yours"),
        template="mentoring/pairing_end.html",
        context={"pairing": pairing},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pairing_goals(request, pairing_id):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    if not pairing.is_current:
        raise Http404("This pairing is not under way")
    return _form_page(
        request,
        form=AgreedGoalsForm(_posted(request), initial={"agreed_goals": pairing.agreed_goals}),
        save=lambda form: services.pairing_goals_save(
            pairing=pairing, user=request.user, agreed_goals=form.cleaned_data["agreed_goals"]
        ),
        done="Your agreed goals have been saved.",
        then=_pairing_page(pairing),
        template="mentoring/pairing_goals.html",
        context={"pairing": pairing},
    )


@login_required
@require_POST
def request_withdraw(request, request_id):
    mentoring_request = selectors.waiting_request_get_for_user(user=request.user, request_id=request_id)
    services.request_withdraw(request=mentoring_request, acting_user=request.user)
    messages.success(request, "Your request has been withdrawn.")
    return redirect("mentoring:yours")


@login_required
@require_http_methods(["GET", "POST"])
def feedback_give(request, pairing_id):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    if pairing.state not in (Pairing.State.COMPLETED, Pairing.State.ENDED_EARLY):
        messages.error(request, "You can give feedback once the pairing has ended.")
        return redirect("mentoring:pairing-detail", pairing_id=pairing.pk)
    if pairing.my_feedback:
        messages.success(request, "You have given feedback on this pairing. Thank you.")
        return redirect("mentoring:pairing-detail", pairing_id=pairing.pk)
    return _form_page(
        request,
        form=FeedbackForm(_posted(request)),
        save=lambda form: services.feedback_save(pairing=pairing, user=request.user, **form.cleaned_data),
        done="Thank you for your feedback.",
        then=_pairing_page(pairing),
        template="mentoring/feedback_give.html",
        context={"pairing": pairing},
    )


# --- peer-support circles ----------------------------------------------------------------------


@login_required
@require_GET
def circle_detail(request, slug):
    circle = selectors.circle_get_for_user(user=request.user, slug=slug)
    return render(request, "mentoring/circle_detail.html", {"circle": circle})


@login_required
@require_GET
def circle_calendar(request, slug):
    circle = selectors.circle_get_for_user(user=request.user, slug=slug)
    meetings = selectors.circle_meetings_for_calendar(circle=circle)
    response = HttpResponse(
        circle_ics(circle=circle, meetings=meetings), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{circle.slug}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def circle_leave(request, slug):
    circle = selectors.circle_get_for_user(user=request.user, slug=slug)
    if request.method == "POST":
        circles.circle_leave(circle=circle, user=request.user)
        messages.success(request, f"You have left {circle.name}.")
        return redirect("networks:my-networks")
    return render(request, "mentoring/circle_leave.html", {"circle": circle})


@login_required
@require_http_methods(["GET", "POST"])
def circle_ask(request, network_slug):
    network = get_object_or_404(Network, slug=network_slug, status=Network.Status.ACTIVE)
    if not selectors.is_active_member(user=request.user, network=network):
        raise Http404("No such network")
    return _form_page(
        request,
        form=CirclePlacementForm(_posted(request)),
        save=lambda form: circles.circle_placement_request(
            network=network, user=request.user, note=form.cleaned_data["note"]
        ),
        done="You have asked to join a circle. The networks team will email you.",
        then=reverse("networks:network-detail", args=[network.slug]),
        template="mentoring/circle_ask.html",
        context={"network": network},
    )
