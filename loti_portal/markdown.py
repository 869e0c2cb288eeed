"""Markdown written by staff, rendered to HTML that is safe to show: only a small set of tags
and attributes survive, links get rel="noopener noreferrer", and no script or style can run."""

import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks

# Bounds on what staff may write, so that rendering any description stays quick: the Markdown
# library's work grows with the square of the number of "[" (20 KB of them took 30 s) and its
# recursion with the depth of nested lists and quotes (800 levels raised RecursionError).
MAX_LENGTH = 10_000
MAX_STRAY_BRACKETS = 20
_LINK = re.compile(r"!?\[[^\[\]\n]{0,300}\]\([^()\s]{0,2000}\)")
MAX_NESTING = 8
_INDENT = re.compile(r"^[ \t]*")
_MARKERS = re.compile(r"^[ \t]*((?:[-*+]|\d{1,9}[.)]|>)[ \t]*)+")
_MARKER = re.compile(r"[-*+]|\d{1,9}[.)]|>")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

# GOV.UK Frontend classes for the tags Markdown produces.
_CLASSES = {
    "p": "govuk-body",
    "a": "govuk-link",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "blockquote": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}


def markdown_problem(text: str) -> str | None:
    """Why this Markdown is too big or too deeply nested to accept, in words for the field; None
    if it is fine."""
    text = text or ""
    if len(text) > MAX_LENGTH:
        return f"Use {MAX_LENGTH:,} characters or fewer (this has {len(text):,})"
    if _LINK.sub("", text).count("[") > MAX_STRAY_BRACKETS:
        return (
            f"Use at most {MAX_STRAY_BRACKETS} square brackets ([) outside links written as "
            "[words](https://…)"
        )
    for line in text.splitlines():
        indent = len(_INDENT.match(line).group(0).expandtabs(4))
        markers = _MARKERS.match(line)
        depth = indent // 4 + (len(_MARKER.findall(markers.group(0))) if markers else 0)
        if depth > MAX_NESTING:
            return f"Nest lists and quotes at most {MAX_NESTING} levels deep"
    return None


def validate_markdown(text: str) -> None:
    """A model field validator: the message is shown next to the field (admin's forms)."""
    problem = markdown_problem(text)
    if problem:
        raise ValidationError(problem, code="markdown_too_complex")


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML with GOV.UK classes. Raw HTML in the input is dropped.

    The same text always gives the same HTML, so each process keeps the last few hundred
    (descriptions are shown on every view of an event or network page). Text beyond the bounds
    of validate_markdown (stored before they applied) is shown as plain paragraphs: the work of
    any one view stays small.
    """
    if markdown_problem(text):
        return linebreaks(escape(text))
    try:
        html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    except RecursionError:
        return linebreaks(escape(text))
    # The page has its own h1: headings in a description start at h2.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return _TAG_START.sub(lambda match: f'<{match[1]} class="{_CLASSES[match[1]]}"{match[2]}', clean)


_TAG_START = re.compile(r"<(" + "|".join(_CLASSES) + r")([\s>/])")
