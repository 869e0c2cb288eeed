"""The events list's page links are the addresses Django's {% querystring %} tag gives."""

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import RequestContext, Template
from django.test import RequestFactory

from events.pagination import pagination_html


@pytest.mark.parametrize(
    "query", ["", "page=2", "network=data-leaders&page=2", "page=3&kind=training", "page=2&page=3&x=%26a&x=b"]
)
def test_each_link_keeps_the_query_as_the_querystring_tag_does(query):
    request = RequestFactory().get("/events/?" + query)
    page = Paginator(range(200), 20).get_page(int(QueryDict(query).get("page", 1)))
    numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    html = pagination_html(page, numbers, request.GET)
    tag = Template("{% querystring page=number %}")

    def address(number):
        return tag.render(RequestContext(request, {"number": number}))

    for number in [n for n in numbers if n != page.paginator.ELLIPSIS]:
        assert f'href="{address(number)}" aria-label="Page {number}"' in html
    if page.has_next():
        assert f'href="{address(page.number + 1)}" rel="next"' in html
    if page.has_previous():
        assert f'href="{address(page.number - 1)}" rel="prev"' in html
    assert html.count('aria-current="page"') == 1


def test_one_page_has_no_pagination():
    page = Paginator(range(5), 20).get_page(1)
    assert pagination_html(page, [1], QueryDict("")) == ""
