from django import template
from django.utils.safestring import mark_safe

from loti_portal.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """{{ network.description|markdown }}: sanitised HTML from staff-written Markdown."""
    return mark_safe(render_markdown(text))  # noqa: S308 - nh3 has sanitised it
