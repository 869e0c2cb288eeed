from django import template

register = template.Library()


@register.filter
def count_cell(value) -> str:
    """A dashboard table's cell: a count with thousands separators, "fewer than 3", a rate, or text."""
    if value is None:
        return "fewer than 3"
    if value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.0%}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


@register.filter
def is_number(value) -> bool:
    return value is None or isinstance(value, int | float) or value == ""
