"""Other apps' meetings in a person's calendar feed.

Apps above events (mentoring's peer-support circles) have rows of their own that belong in a
person's feed, and only they know who may see them. So they register a source when Django starts
(their AppConfig.ready), and the feed asks each source, for one person, what it depends on and
what it shows. events never imports them: the arrows stay one way.
"""

from collections.abc import Callable
from dataclasses import dataclass

import icalendar


@dataclass(frozen=True)
class PersonalFeedSource:
    """`version(user=…)` is a cheap read of everything `components(user=…)` draws (ids and change
    times), so the feed's cache key changes whenever what the source shows changes. Both apply
    the source's own rule of who may see its rows."""

    name: str
    version: Callable[..., tuple]
    components: Callable[..., list[icalendar.Event]]


_SOURCES: dict[str, PersonalFeedSource] = {}


def personal_feed_source_register(source: PersonalFeedSource) -> None:
    """Registering again under the same name replaces the source (harmless on reload)."""
    _SOURCES[source.name] = source


def personal_feed_sources() -> list[PersonalFeedSource]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]


def personal_feed_components(*, user) -> list[icalendar.Event]:
    return [component for source in personal_feed_sources() for component in source.components(user=user)]
