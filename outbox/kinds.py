"""The emails the portal sends, by kind: each kind says how to write its email at send time.

An app registers its kinds when it is ready (`@email_kind("events.confirmed", "Place confirmed")`
on a function of the row and a dict the rows of one chunk share). The function returns the
message, or None when the email no longer applies (the person cancelled, the meeting was
cancelled): the row is then marked skipped, not sent.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage


@dataclass(frozen=True)
class EmailKind:
    name: str
    label: str
    build: Callable[..., EmailMessage | None]


_KINDS: dict[str, EmailKind] = {}


def email_kind(name: str, label: str):
    """Register the function that writes the emails of one kind."""

    def register(build):
        _KINDS[name] = EmailKind(name=name, label=label, build=build)
        return build

    return register


def kind_get(name: str) -> EmailKind:
    """The kind called `name`; raises LookupError for one nobody registered."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No email kind is called {name!r}.") from None


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((kind.name, kind.label) for kind in _KINDS.values()), key=lambda choice: choice[1])
