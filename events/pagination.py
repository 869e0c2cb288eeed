"""The events list's pages (GOV.UK pagination), drawn from the page and the request's query rather
than through the template engine: the list is drawn for every visitor."""

from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_SVG = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--{side}"'
    ' xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true"'
    ' focusable="false" viewBox="0 0 15 13"><path d="{path}"></path></svg>'
)
_PREVIOUS_PATH = (
    "m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984"
    "l4.2931-4.293-1.414-1.414z"
)
_NEXT_PATH = (
    "m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492"
    " 6.7441-6.4062-6.7246-6.7266z"
)
_TITLE = (
    '<span class="govuk-pagination__link-title">{word}<span class="govuk-visually-hidden"> page</span></span>'
)
_PREVIOUS = (
    '<div class="govuk-pagination__prev">\n'
    '    <a class="govuk-link govuk-pagination__link" href="{href}" rel="prev">\n'
    f"      {_SVG.format(side='prev', path=_PREVIOUS_PATH)}\n"
    f"      {_TITLE.format(word='Previous')}\n"
    "    </a>\n  </div>\n  "
)
_NEXT = (
    '<div class="govuk-pagination__next">\n'
    '    <a class="govuk-link govuk-pagination__link" href="{href}" rel="next">\n'
    f"      {_TITLE.format(word='Next')}\n"
    f"      {_SVG.format(side='next', path=_NEXT_PATH)}\n"
    "    </a>\n  </div>\n"
)
_ELLIPSIS = '<li class="govuk-pagination__item govuk-pagination__item--ellipses">&ctdot;</li>'
_CURRENT = (
    '<li class="govuk-pagination__item govuk-pagination__item--current"><a class="govuk-link'
    ' govuk-pagination__link" href="{href}" aria-label="Page {number}" aria-current="page">{number}</a></li>'
)
_NUMBER = (
    '<li class="govuk-pagination__item"><a class="govuk-link govuk-pagination__link" href="{href}"'
    ' aria-label="Page {number}">{number}</a></li>'
)


def _addresses(query):
    """A function giving the address of page N: the request's query with `page` set where it
    stood (or last), as Django's {% querystring page=N %} gives it."""
    keys = list(query.keys())
    if "page" not in keys:
        keys.append("page")
    before = [(key, value) for key in keys[: keys.index("page")] for value in query.getlist(key)]
    after = [(key, value) for key in keys[keys.index("page") + 1 :] for value in query.getlist(key)]
    head = "&".join(urlencode({key: value}) for key, value in before)
    tail = "&".join(urlencode({key: value}) for key, value in after)

    def address(number: int) -> str:
        parts = [part for part in (head, f"page={number}", tail) if part]
        return escape("?" + "&".join(parts))

    return address


def pagination_html(page, page_numbers, query) -> SafeString:
    """GOV.UK pagination for `page` (a Paginator page), with the page numbers given (the
    paginator's elided range) and links keeping the rest of `query` (the request's GET)."""
    if not page.has_other_pages():
        return mark_safe("")
    address = _addresses(query)
    items = []
    for number in page_numbers:
        if not isinstance(number, int):  # the paginator's ELLIPSIS (comparing it translates it)
            items.append(_ELLIPSIS)
        else:
            template = _CURRENT if number == page.number else _NUMBER
            items.append(template.format(href=address(number), number=number))
    previous = _PREVIOUS.format(href=address(page.previous_page_number())) if page.has_previous() else ""
    following = _NEXT.format(href=address(page.next_page_number())) if page.has_next() else ""
    html = (
        '<nav class="govuk-pagination" aria-label="Pages of events">\n  '
        f"{previous}"
        '<ul class="govuk-pagination__list">\n'
        f"{''.join(items)}\n  </ul>\n  {following}</nav>\n"
    )
    return mark_safe(html)  # noqa: S308 - the addresses are escaped, the numbers are whole numbers
