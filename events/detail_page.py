"""An event's page, drawn from format strings rather than the template engine.

Through the engine every value on the page is looked up, filtered and escaped through several
layers, which made drawing the page most of its work. Here each part is plain text filled with
values escaped once (django.utils.html.escape, as the template's autoescape does), using the
same rules the template used (events.cards for places and audience, events.formatting for
times, events.joining for the joining address). templates/events/event_detail.html keeps the
layout around these parts and the parts other apps draw (certificates, follow-up material);
tests/test_fragment_cache.py and the event page tests compare what each person sees.
"""

from dataclasses import dataclass

from django.template.defaultfilters import pluralize, urlencode
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from loti_portal.markdown import render_markdown

from .calendar import add_to_calendar_links
from .cards import KIND_LABELS, audience_text, places_text, registration_tag_html
from .formatting import format_datetime, format_when
from .joining import calendar_online_link
from .models import Event, Registration, Speaker
from .selectors import WhoIsComing

_BUTTON = 'role="button" draggable="false" class="govuk-button" data-module="govuk-button"'


@dataclass(frozen=True)
class EventPageParts:
    # From the page's start to where a registration's certificate goes.
    head: SafeString
    # From there to the follow-up part (materials, feedback), which followup draws.
    registration: SafeString
    # Who is coming, after the follow-up part.
    who_is_coming: SafeString


def event_page_parts(
    *,
    event: Event,
    registration: Registration | None,
    user,
    path: str,
    contact_email: str,
    refusal: str | None,
    guest_refusal: str | None,
    share_url: str,
    registration_open: bool,
    places_left: int | None,
    show_online_link: bool,
    waitlist_rank: int | None,
    who_is_coming: WhoIsComing | None,
    join_address: str,
    join_now_url: str,
) -> EventPageParts:
    """The parts of the page for this person. `registration`: their active registration or None
    (the page shows nothing of a cancelled one)."""
    head = _head(
        event,
        registration=registration,
        user=user,
        show_online_link=show_online_link,
        join_address=join_address,
    )
    middle = _registration(
        event,
        registration=registration,
        user=user,
        path=path,
        contact_email=contact_email,
        refusal=refusal,
        guest_refusal=guest_refusal,
        registration_open=registration_open,
        places_left=places_left,
        waitlist_rank=waitlist_rank,
        join_now_url=join_now_url,
    )
    middle += "\n    " + add_to_calendar_html(event, registration) + "\n\n    "
    middle += "\n\n    "
    coming = "\n\n    " + _who_is_coming(who_is_coming, registration=registration, user=user)
    coming += "\n\n    \n    "
    # Every value above is escaped.
    return EventPageParts(
        head=mark_safe(head),  # noqa: S308
        registration=mark_safe(middle),  # noqa: S308
        who_is_coming=mark_safe(coming),  # noqa: S308
    )


def _address(name: str, *args) -> str:
    return reverse(name, args=args)


def _head(event: Event, *, registration, user, show_online_link: bool, join_address: str) -> str:
    title = escape(event.title)
    kind = escape(KIND_LABELS.get(event.kind, event.kind))
    programme = f": {escape(event.programme)}" if event.programme else ""
    parts = [
        '\n<div class="govuk-grid-row">\n  <div class="govuk-grid-column-two-thirds">\n'
        f'    <span class="govuk-caption-l">{kind}{programme}</span>\n'
        f'    <h1 class="govuk-heading-l">{title}</h1>\n    '
    ]
    if event.status == Event.Status.CANCELLED:
        parts.append(
            '\n    <div class="govuk-warning-text">\n'
            '      <span class="govuk-warning-text__icon" aria-hidden="true">!</span>\n'
            '      <strong class="govuk-warning-text__text"><span'
            ' class="govuk-visually-hidden">Warning</span>'
            " This event has been cancelled.</strong>\n"
            "    </div>\n    "
        )
    elif event.status == Event.Status.DRAFT:
        parts.append(
            '\n    <p class="govuk-body"><strong class="govuk-tag govuk-tag--grey">Draft</strong>'
            " Only staff can see this event until it is published.</p>\n    "
        )
    parts.append("\n    ")
    if event.summary:
        parts.append(f'<p class="govuk-body-l">{escape(event.summary)}</p>')
    parts.append(
        '\n\n    <dl class="govuk-summary-list">\n'
        '      <div class="govuk-summary-list__row">\n'
        '        <dt class="govuk-summary-list__key">When</dt>\n'
        f'        <dd class="govuk-summary-list__value">{escape(format_when(event.start, event.end))}'
        ' <span class="govuk-hint govuk-!-margin-bottom-0">London time</span></dd>\n'
        "      </div>\n"
        '      <div class="govuk-summary-list__row">\n'
        '        <dt class="govuk-summary-list__key">Where</dt>\n'
        '        <dd class="govuk-summary-list__value">\n          '
    )
    if event.venue:
        venue = escape(event.venue)
        parts.append(
            f'{venue}<br><a class="govuk-link" href="https://www.openstreetmap.org/search?query='
            f'{escape(urlencode(event.venue))}" rel="noopener noreferrer">Find it on a map'
            f'<span class="govuk-visually-hidden">: {venue}</span></a>'
        )
    parts.append("\n          ")
    if event.online_url:
        parts.append("\n            " + ("<br>" if event.venue else "") + "\n            ")
        if join_address:
            parts.append(
                f'Online: <a class="govuk-link" href="{escape(join_address)}">your joining address</a>'
                " works from 15 minutes before the start\n            "
            )
        elif show_online_link:
            parts.append(
                f'Online: <a class="govuk-link" href="{escape(event.online_url)}" rel="noopener noreferrer">'
                "join the event online</a>\n            "
            )
        else:
            parts.append("Online. The joining link is shown here to people with a place.")
        parts.append("\n          ")
    parts.append("\n          ")
    if not event.venue and not event.online_url:
        parts.append("To be confirmed")
    parts.append(
        "\n        </dd>\n      </div>\n"
        '      <div class="govuk-summary-list__row">\n'
        '        <dt class="govuk-summary-list__key">Who it is for</dt>\n'
        f'        <dd class="govuk-summary-list__value">{escape(audience_text(event))}</dd>\n'
        "      </div>\n      "
    )
    if event.network_id is not None:
        name = escape(event.network.name)
        try:
            network_url = _address("networks:network-detail", event.network.slug)
        except NoReverseMatch:
            network_url = ""
        link = f'<a class="govuk-link" href="{escape(network_url)}">{name}</a>' if network_url else name
        parts.append(
            '\n      <div class="govuk-summary-list__row">\n'
            '        <dt class="govuk-summary-list__key">Network</dt>\n'
            f'        <dd class="govuk-summary-list__value">{link}</dd>\n'
            "      </div>\n      "
        )
    parts.append("\n      ")
    if event.status == Event.Status.PUBLISHED:
        has_place = registration is not None and registration.holds_place
        opens = ""
        if event.registration_opens:
            opens = f"Opens {escape(format_datetime(event.registration_opens))}<br>"
        parts.append(
            '\n      <div class="govuk-summary-list__row">\n'
            '        <dt class="govuk-summary-list__key">Places</dt>\n'
            f'        <dd class="govuk-summary-list__value">{escape(places_text(event, has_place))}</dd>\n'
            "      </div>\n"
            '      <div class="govuk-summary-list__row">\n'
            '        <dt class="govuk-summary-list__key">Registration</dt>\n'
            '        <dd class="govuk-summary-list__value">\n'
            f"          {opens}\n"
            f"          Closes {escape(format_datetime(event.closes_at))}\n"
            "        </dd>\n      </div>\n      "
        )
    parts.append("\n    </dl>\n\n\n    ")
    if user.is_authenticated and user.is_staff and event.status == Event.Status.PUBLISHED:
        parts.append(
            '<p class="govuk-body"><a class="govuk-link"'
            f' href="{_address("events:event-check-in", event.slug)}">'
            f'Check people in<span class="govuk-visually-hidden"> to {title}</span></a></p>'
        )
    parts.append('\n    <h2 class="govuk-heading-m">Your registration</h2>\n    ')
    if registration is not None:
        parts.append(
            f'\n      <p class="govuk-body">{registration_tag_html(registration.status)}\n</p>\n      '
        )
    return "".join(parts)


def _mode_words(mode: str) -> str:
    return "online" if mode == Registration.Mode.ONLINE else "in person"


def _registration(
    event: Event,
    *,
    registration,
    user,
    path: str,
    contact_email: str,
    refusal,
    guest_refusal,
    registration_open: bool,
    places_left,
    waitlist_rank,
    join_now_url: str,
) -> str:
    title = escape(event.title)
    register_words = "Join the waiting list" if places_left == 0 else "Register"
    parts = []
    if registration is not None:
        status = registration.status
        parts.append("\n      ")
        if join_now_url:
            parts.append(
                f'<a href="{escape(join_now_url)}" {_BUTTON}>Join now'
                f'<span class="govuk-visually-hidden">: {title}</span></a>'
            )
        parts.append("\n      ")
        if registration.offer_expires_at:
            parts.append(
                '\n      <p class="govuk-body">A place is offered to you until '
                f"{escape(format_datetime(registration.offer_expires_at))}.</p>\n"
                f'      <a href="{_address("events:event-offer", event.slug)}" {_BUTTON}>'
                "Accept or decline the place</a>\n      "
            )
        elif status == Registration.Status.WAITLISTED:
            mode = f" for a place {_mode_words(registration.mode)}" if registration.mode else ""
            parts.append(
                f'\n      <p class="govuk-body">You are number {escape(waitlist_rank)} on the waiting'
                f" list{mode}."
                " We will email you if a place becomes free.</p>\n      "
            )
        elif status == Registration.Status.CONFIRMED:
            mode = f" {_mode_words(registration.mode)}" if registration.mode else ""
            cancelled = ", but the event has been cancelled" if event.status == Event.Status.CANCELLED else ""
            parts.append(f'\n      <p class="govuk-body">You have a place{mode}{cancelled}.</p>\n      ')
        parts.append("\n      ")
        if (
            status in (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
            and event.status != Event.Status.CANCELLED
        ):
            action = (
                "Cancel your place" if status == Registration.Status.CONFIRMED else "Leave the waiting list"
            )
            parts.append(
                '\n      <p class="govuk-body"><a class="govuk-link"'
                f' href="{_address("events:event-cancel", event.slug)}">'
                f'{action}<span class="govuk-visually-hidden"> for {title}</span></a></p>\n      '
            )
        parts.append("\n    ")
    elif not user.is_authenticated:
        parts.append("\n      ")
        sign_in = f"{_address('account_login')}?next={escape(urlencode(path))}"
        if event.is_public and not guest_refusal:
            parts.append(
                '\n      <p class="govuk-body">Anyone can come: you do not need an account or to'
                " work in local"
                " government.</p>\n"
                f'      <a href="{_address("events:guest-register", event.slug)}"'
                f" {_BUTTON}>{register_words}</a>\n"
                '      <p class="govuk-body">Already have an account? <a class="govuk-link"'
                f' href="{sign_in}">'
                "Sign in to register with it</a>.</p>\n      "
            )
        elif event.is_public:
            parts.append(f'\n      <p class="govuk-body">{escape(guest_refusal)}</p>\n      ')
        elif registration_open:
            parts.append(
                f'\n      <p class="govuk-body">{escape(guest_refusal)}</p>\n'
                f'      <p class="govuk-body"><a class="govuk-link" href="{sign_in}">Sign in</a> or'
                f' <a class="govuk-link" href="{_address("account_signup")}">create an account</a>'
                " to register.</p>\n      "
            )
        else:
            parts.append('\n      <p class="govuk-body">Registration is not open.</p>\n      ')
        parts.append("\n    ")
    elif refusal:
        parts.append(
            '\n      <div class="govuk-inset-text">\n'
            f'        <p class="govuk-body">{escape(refusal)}</p>\n'
            '        <p class="govuk-body">If you think this is wrong, <a class="govuk-link"'
            f' href="mailto:{escape(contact_email)}">contact the networks team</a>.</p>\n'
            "      </div>\n    "
        )
    else:
        parts.append("\n      ")
        if event.kind == Event.Kind.NETWORK_MEETING and event.network_id is not None:
            place = " and to keep a place" if event.capacity else ""
            link = " and the joining link" if event.online_url else ""
            parts.append(
                f'\n      <p class="govuk-body">Every member of {escape(event.network.name)} gets'
                " reminders of"
                f" this meeting. Register to tell the organisers you are coming{place}; you will get a"
                f" calendar invitation{link}.</p>\n      "
            )
        parts.append(
            f'\n      <a href="{_address("events:event-register", event.slug)}"'
            f" {_BUTTON}>{register_words}</a>\n    "
        )
    return "".join(parts)


def _who_is_coming(who_is_coming: WhoIsComing | None, *, registration, user) -> str:
    if not who_is_coming:
        return ""
    names, others, offered = who_is_coming.names, who_is_coming.others, who_is_coming.offered
    parts = ['\n    <h2 class="govuk-heading-m">Who’s coming</h2>\n    ']
    if names:
        items = "".join(f"<li>{escape(name)}</li>" for name in names)
        parts.append(f'\n    <ul class="govuk-list govuk-list--bullet">\n      {items}\n    </ul>\n    ')
    parts.append("\n    \n    ")
    if names and others:
        parts.append(
            f'\n    <p class="govuk-body">And {others} other {pluralize(others, "person,people")}'
            " with a place"
            f" who {pluralize(others, 'has,have')} not chosen to show their name.</p>\n    "
        )
    elif others:
        parts.append(
            f'\n    <p class="govuk-body">{others} {pluralize(others, "person has,people have")} a place.'
            " Nobody has chosen to show their name.</p>\n    "
        )
    elif not names:
        parts.append('\n    <p class="govuk-body">Nobody has a place yet.</p>\n    ')
    parts.append("\n    \n    ")
    if offered:
        has = pluralize(offered, "has,have")
        parts.append(
            f'\n    <p class="govuk-body">{offered} more place{pluralize(offered)}'
            f" {pluralize(offered, 'is,are')}"
            f" kept for {pluralize(offered, 'someone,people')} on the waiting list who {has} been offered"
            f" {pluralize(offered, 'it,them')} and {has} not answered yet. They are not counted as"
            " coming.</p>\n    "
        )
    parts.append(
        '\n    <p class="govuk-body-s">Only people with a place and the organisers see this list. A name is'
        " shown only if that person chose to show it, so nobody’s attendance is shared without their"
        " agreement.\n    "
    )
    if registration is not None and registration.holds_place:
        shown = user.show_name_to_attendees
        parts.append(
            ("Your name is shown." if shown else "Your name is hidden.")
            + f' <a class="govuk-link" href="{_address("accounts:profile-edit")}">'
            + ("Hide your name" if shown else "Show your name")
            + " in your profile</a>."
        )
    parts.append("</p>\n    ")
    return "".join(parts)


ADD_TO_CALENDAR = (
    '<p class="govuk-body govuk-!-margin-bottom-1" id="add-to-calendar-{pk}">Add {title} to your'
    " calendar:</p>\n"
    '<ul class="govuk-list app-inline-list" aria-labelledby="add-to-calendar-{pk}">\n'
    '  <li><a class="govuk-link" href="{outlook}" rel="noopener noreferrer">Outlook</a></li>\n'
    '  <li><a class="govuk-link" href="{google}" rel="noopener noreferrer">Google Calendar</a></li>\n'
    '  <li><a class="govuk-link" href="{ics}">Apple Calendar or another app (.ics file)</a></li>\n'
    "</ul>\n"
)


def add_to_calendar_html(event: Event, registration: Registration | None = None) -> SafeString:
    """Outlook, Google Calendar and .ics links for an event, with the person's own joining
    address if they have a place to join online (joining.calendar_online_link)."""
    links = add_to_calendar_links(event, online_link=calendar_online_link(registration, event))
    return mark_safe(  # noqa: S308 - every value is escaped
        ADD_TO_CALENDAR.format(
            pk=event.pk,
            title=escape(event.title),
            outlook=escape(links.outlook),
            google=escape(links.google),
            ics=_address("events:event-ics", event.slug),
        )
    )


def about_html(event: Event) -> SafeString:
    """The start of the page's "about" part: the event's description (rendered when it was saved,
    or from its Markdown)."""
    html = ""
    if event.description:
        body = event.description_html or render_markdown(event.description)  # sanitised by nh3
        html = f'\n    <h2 class="govuk-heading-m">About this event</h2>\n    {body}\n    '
    return mark_safe(f"\n    {html}\n\n    ")  # noqa: S308 - the description is sanitised


def speakers_html(speakers: list[Speaker]) -> SafeString:
    """The end of the page's "about" part: the speakers, each with their role and organisation."""
    html = ""
    if speakers:
        items = []
        for speaker in speakers:
            about = ""
            if speaker.role or speaker.organisation:
                between = ", " if speaker.role and speaker.organisation else ""
                about = f", {escape(speaker.role)}{between}{escape(speaker.organisation)}"
            items.append(f"\n      <li><strong>{escape(speaker.name)}</strong>{about}</li>\n      ")
        html = (
            '\n    <h2 class="govuk-heading-m">Speakers</h2>\n    <ul class="govuk-list">\n      '
            + "".join(items)
            + "\n    </ul>\n    "
        )
    return mark_safe(f"\n\n    {html}\n    ")  # noqa: S308 - every value is escaped
