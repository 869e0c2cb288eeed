import csv
import io

import pytest

from loti_portal.csv_export import csv_response, csv_safe
from loti_portal.markdown import render_markdown


@pytest.mark.parametrize(
    "value", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']
)
def test_csv_cells_that_start_like_formulas_are_quoted(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Camden", "a=b", "", None, 42])
def test_ordinary_csv_cells_are_unchanged(value):
    assert csv_safe(value) == ("" if value is None else str(value))


def test_csv_response_quotes_every_cell():
    response = csv_response(filename="x.csv", header=["name"], rows=[["=cmd|' /C calc'!A0"], ["Ada"]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["name"], ["'=cmd|' /C calc'!A0"], ["Ada"]]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_markdown_is_sanitised_and_styled():
    html = render_markdown(
        "# Hi\n\n**Bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://loti.london)\n\n"
        '<img src=x onerror="alert(1)">'
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert '<a class="govuk-link" href="https://loti.london" rel="noopener noreferrer">ok</a>' in html
    assert '<p class="govuk-body"><strong>Bold</strong>' in html
