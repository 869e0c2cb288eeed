"""The events list's cards, drawn straight from the event rows.

A page of the events list shows twenty cards. Through the template engine each card costs some
380 function calls even with every value ready-made (each variable is looked up, filtered and
escaped through several layers), which made the cards most of the page's work. Here each card is
one format string filled with values escaped once (the same escaping the template's autoescape
does), so a card costs what its values cost. The markup is the card's GOV.UK markup, kept in one
place; tests/events/test_views.py and tests/test_fragment_cache.py compare what people see.
"""

from django.utils.safestring import SafeString, mark_safe

from loti_portal.utils import address_by_slug
from loti_portal.versions import live_part

from .formatting import format_when
from .models import Event, Registration
from .selectors import places_left, places_left_by_mode

KIND_LABELS = dict(Event.Kind.choices)
AUDIENCE_LABELS = dict(Event.Audience.choices)
STATUS_LABELS = dict(Registration.Status.choices)
MODE_LABELS = dict(Registration.Mode.choices)
TAG_COLOURS = {
    "confirmed": "govuk-tag--green",
    "waitlisted": "govuk-tag--yellow",
    "cancelled": "govuk-tag--red",
    "attended": "govuk-tag--blue",
    "no_show": "govuk-tag--grey",
}
# What html.escape (and so the templates' autoescape) gives, in one pass: a list page escapes
# some 140 values, and one translate costs a fifth of escape's five replaces.
HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape(text: str) -> str:
    """`text` escaped for HTML, exactly as html.escape(text) escapes it."""
    return text.translate(HTML_ESCAPES)


# A slug is made of letters, digits, hyphens and underscores, which a URL keeps as they are: one
# reverse() for the page, the slug put in its place for each card.

CARD = (
    '<li class="app-card">\n'
    '  <h3 class="app-card__title"><a class="govuk-link" href="{url}">{title}</a></h3>\n'
    "{tag}{summary}"
    '  <dl class="app-meta">\n'
    "    <dt>When</dt><dd>{when}</dd>\n"
    "    <dt>Where</dt><dd>{where}</dd>\n"
    "{details}"
    "  </dl>\n"
    "</li>\n"
)
DETAILS = "    <dt>Type</dt><dd>{kind}</dd>\n    <dt>For</dt><dd>{audience}</dd>\n"
PLACES = "    <dt>Places</dt><dd>{places}</dd>\n"
TAG = '  <p class="govuk-body"><strong class="govuk-tag {colour}">{label}</strong></p>\n'
SUMMARY = '  <p class="govuk-body">{summary}</p>\n'


def registration_tag_html(status: str) -> str:
    """The GOV.UK tag for a registration status (the registration_tag template tag's markup)."""
    return f'<strong class="govuk-tag {TAG_COLOURS[status]}">{STATUS_LABELS[status]}</strong>'


def where_text(event: Event) -> str:
    """ "Camden Town Hall, or online", "Online" or the address."""
    if event.venue and event.online_url:
        return f"{event.venue}, or online"
    return event.venue or ("Online" if event.online_url else "To be confirmed")


def audience_text(event: Event, network_name: str | None = None) -> str:
    """Who the event is for. `network_name`: its network's name, if the event was read without
    its network."""
    if event.audience == Event.Audience.NETWORK_MEMBERS and event.network_id:
        return f"Members of {network_name if network_name is not None else event.network.name}"
    if event.audience == Event.Audience.BOROUGH_STAFF:
        return "London borough staff only"
    return AUDIENCE_LABELS.get(event.audience, event.audience)


def places_text(event: Event, has_place: bool = False) -> str:
    """ "12 places left of 40", "Full: you can join the waiting list" or "No limit", for an event
    with counts (for a hybrid session, in person and online each). Someone who already has a
    place (`has_place`) is not offered the waiting list."""
    if event.is_hybrid:
        parts = []
        for mode, left in places_left_by_mode(event).items():
            capacity = event.capacity_for(mode)
            name = MODE_LABELS[mode]
            if left is None:
                parts.append(f"{name}: no limit")
            elif left == 0:
                parts.append(f"{name}: full" if has_place else f"{name}: full, waiting list open")
            else:
                parts.append(f"{name}: {left} place{'s' if left != 1 else ''} left of {capacity}")
        return "; ".join(parts)
    left = places_left(event)
    if left is None:
        return "No limit"
    if left == 0:
        return "Full" if has_place else "Full: you can join the waiting list"
    return f"{left} place{'s' if left != 1 else ''} left of {event.capacity}"


def _tag(event: Event) -> str:
    """Cancelled, draft, the person's own registration, or open to everyone: the first that holds."""
    if event.status == Event.Status.CANCELLED:
        return TAG.format(colour="govuk-tag--red", label="Cancelled")
    if event.status == Event.Status.DRAFT:
        return TAG.format(colour="govuk-tag--grey", label="Draft")
    my_status = getattr(event, "my_status", None)
    if my_status and my_status != Registration.Status.CANCELLED:
        return TAG.format(colour=TAG_COLOURS[my_status], label=STATUS_LABELS[my_status])
    if event.audience == Event.Audience.PUBLIC:
        return TAG.format(colour="govuk-tag--green", label="Open to everyone")
    return ""


def _places(event: Event) -> str:
    """Places left, for a published event in the upcoming list."""
    if event.status != Event.Status.PUBLISHED:
        return ""
    return PLACES.format(places=escape(places_text(event)))


def event_cards(events, *, past: bool = False, live: bool = False) -> SafeString:
    """The cards of a page of the events list (EventCards from event_list_page_for_user: with
    their `network_name`, counts and the person's `my_status`): title, tag, summary, when, where,
    type, audience and, for upcoming published events, places. With `live`, the parts a
    registration changes (the tag, places left) are drawn as live parts (versions.live_part), for
    card_live_parts to fill in afresh on a kept page."""
    url_for = address_by_slug("events:event-detail")
    cards = []
    for event in events:
        kind = KIND_LABELS.get(event.kind, event.kind)
        if event.network_id:
            kind = f"{kind}, {event.network_name}"
        if event.programme:
            kind = f"{kind}, {event.programme}"
        details = DETAILS.format(
            kind=escape(kind), audience=escape(audience_text(event, network_name=event.network_name))
        )
        tag = _tag(event)
        places = "" if past else _places(event)
        if live:
            tag = live_part(f"{event.id} tag", tag)
            places = "" if past else live_part(f"{event.id} places", places)
        cards.append(
            CARD.format(
                url=url_for(event.slug),
                title=escape(event.title),
                tag=tag,
                summary=SUMMARY.format(summary=escape(event.summary)) if event.summary else "",
                when=escape(format_when(event.start, event.end)),
                where=escape(where_text(event)),
                details=details + places,
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - every value above is escaped


def card_live_part_ids(names: list[str]) -> list[int]:
    """The events whose cards have the live parts named (event_cards with `live`)."""
    return sorted({int(name.split(" ", 1)[0]) for name in names})


def card_live_parts(cards: dict, names: list[str]) -> dict[str, str]:
    """The live parts named, drawn afresh from `cards` (LiveCards by id, read afresh); a part of
    an event not among them is left out (the kept page keeps what it drew)."""
    fresh = {}
    for name in names:
        event_id, part = name.split(" ", 1)
        card = cards.get(int(event_id))
        if card is not None:
            fresh[name] = _tag(card) if part == "tag" else _places(card)
    return fresh


def public_session_cards(events) -> SafeString:
    """The "Open to everyone" cards a signed-out visitor sees first: title, summary, when, where."""
    url_for = address_by_slug("events:event-detail")
    cards = [
        CARD.format(
            url=url_for(event.slug),
            title=escape(event.title),
            tag="",
            summary=SUMMARY.format(summary=escape(event.summary)) if event.summary else "",
            when=escape(format_when(event.start, event.end)),
            where=escape(where_text(event)),
            details="",
        )
        for event in events
    ]
    return mark_safe("".join(cards))  # noqa: S308 - every value above is escaped


MY_CARD = (
    '<li class="app-card">\n'
    '  <h3 class="app-card__title"><a class="govuk-link" href="{url}">{title}</a></h3>\n'
    '  <p class="govuk-body">{tag}</p>\n'
    '  <dl class="app-meta">\n'
    "    <dt>When</dt><dd>{when}</dd>\n"
    "    <dt>Where</dt><dd>{where}</dd>\n"
    "{waiting}"
    "  </dl>\n"
    "{join}{cancel}"
    "</li>\n"
)
MY_WAITING = "    <dt>Waiting list</dt><dd>Number {rank}</dd>\n"
MY_JOIN = (
    '  <a href="{url}" role="button" draggable="false" class="govuk-button" data-module="govuk-button">'
    'Join now<span class="govuk-visually-hidden">: {title}</span></a>\n'
)
MY_CANCEL = (
    '  <p class="govuk-body"><a class="govuk-link" href="{url}">{action}'
    '<span class="govuk-visually-hidden"> for {title}</span></a></p>\n'
)


def my_upcoming_cards(registrations) -> SafeString:
    """The person's own upcoming registrations on "Your events" (from my_events_for_user, each
    with `waitlist_rank` and `join_now_url`): the event, the registration's tag, when, where,
    their place in the queue, "Join now" while joining is open, and how to cancel."""
    detail_url = address_by_slug("events:event-detail")
    cancel_url = address_by_slug("events:event-cancel")
    cards = []
    for registration in registrations:
        event = registration.event
        title = escape(event.title)
        cancelled = event.status == Event.Status.CANCELLED
        waiting = registration.status == Registration.Status.WAITLISTED
        cancel = ""
        if not cancelled and registration.status != Registration.Status.ATTENDED:
            cancel = MY_CANCEL.format(
                url=cancel_url(event.slug),
                action="Leave the waiting list" if waiting else "Cancel your place",
                title=title,
            )
        cards.append(
            MY_CARD.format(
                url=detail_url(event.slug),
                title=title,
                tag='<strong class="govuk-tag govuk-tag--red">Event cancelled</strong>'
                if cancelled
                else registration_tag_html(registration.status),
                when=escape(format_when(event.start, event.end)),
                where=escape(where_text(event)),
                waiting=MY_WAITING.format(rank=registration.waitlist_rank) if waiting else "",
                join=MY_JOIN.format(url=escape(registration.join_now_url), title=title)
                if registration.join_now_url
                else "",
                cancel=cancel,
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - every value above is escaped
