"""Markdown written by staff, rendered to HTML that is safe to show: only a small set of tags
and attributes survive, links get rel="noopener noreferrer", and no script or style can run."""

import re
from functools import lru_cache

import markdown as markdown_lib
import nh3

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


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML with GOV.UK classes. Raw HTML in the input is dropped.

    The same text always gives the same HTML, so each process keeps the last few hundred
    (descriptions are shown on every view of an event or network page).
    """
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
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
