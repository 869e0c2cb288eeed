"""How well a mentor suits a mentee: pure functions over profiles already loaded (no queries)."""

import re

from .models import MentoringProfile

# Words too common in goals to say anything about a match.
STOP_WORDS = {
    "a", "an", "and", "as", "at", "be", "better", "for", "from", "get", "how", "i", "in", "into",
    "is", "it", "learn", "more", "my", "of", "on", "or", "our", "the", "to", "want", "with", "would",
}  # fmt: skip

AREA_POINTS = 10
WORD_POINTS = 3
FORMAT_POINTS = 4
OUTSIDE_ORGANISATION_POINTS = 6


def goal_words(texts: list[str]) -> set[str]:
    words = set()
    for text in texts:
        words |= {
            word for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 2 and word not in STOP_WORDS
        }
    return words


def formats_compatible(a: str, b: str) -> bool:
    either = MentoringProfile.MeetingFormat.EITHER
    return either in (a, b) or a == b


def match_score(
    *, mentee: MentoringProfile, mentor: MentoringProfile, mentee_areas: set[int], mentor_areas: set[int]
) -> int | None:
    """Points for this mentor for this mentee, higher is better; None when they cannot be paired
    (the same person, or one wants to meet only online and the other only in person).

    Shared focus areas count most, then words the mentee's goals share with what the mentor says
    about themselves and their own goals; a mentee who wants someone from outside their
    organisation gets points for a mentor who is.
    """
    if mentee.user_id == mentor.user_id or not formats_compatible(
        mentee.meeting_format, mentor.meeting_format
    ):
        return None
    score = AREA_POINTS * len(mentee_areas & mentor_areas)
    score += WORD_POINTS * len(goal_words(mentee.goals) & goal_words([*mentor.goals, mentor.about]))
    if mentee.meeting_format == mentor.meeting_format:
        score += FORMAT_POINTS
    same_organisation = (
        mentee.user.organisation_id is not None and mentee.user.organisation_id == mentor.user.organisation_id
    )
    if mentee.prefers_outside_organisation:
        score += 0 if same_organisation else OUTSIDE_ORGANISATION_POINTS
    return score
