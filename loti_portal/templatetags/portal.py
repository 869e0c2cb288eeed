from django import template
from django.utils.safestring import mark_safe

from loti_portal.markdown import render_markdown
from loti_portal.utils import absolute_url

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """{{ network.description|markdown }}: sanitised HTML from staff-written Markdown."""
    return mark_safe(render_markdown(text))  # noqa: S308 - nh3 has sanitised it


@register.filter
def error_anchor(bound_field) -> str:
    """The id the error summary links to: the field itself, or the first of its radios or boxes."""
    widget = bound_field.field.widget
    if getattr(widget, "input_type", None) in {"radio", "checkbox"} and hasattr(widget, "choices"):
        return f"{bound_field.auto_id}_1"
    return bound_field.id_for_label or bound_field.auto_id


@register.filter
def absolute(path: str) -> str:
    """{{ path|absolute }}: the full address on this portal (SITE_URL), to share or subscribe."""
    return absolute_url(path) if path else ""
