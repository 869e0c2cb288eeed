import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory


@pytest.fixture
def floor_on(settings):
    settings.BENCHMARK_FLOOR = True


def test_floor_is_not_found_when_the_setting_is_off(client, db, settings):
    settings.BENCHMARK_FLOOR = False
    response = client.get(reverse("benchmark-floor"))
    assert response.status_code == 404


def test_floor_renders_a_small_page_with_exactly_one_query(client, db, floor_on, django_assert_num_queries):
    OrganisationFactory.create_batch(3)
    with django_assert_num_queries(1):
        response = client.get(reverse("benchmark-floor"))
    assert response.status_code == 200
    assert "Organisations: 3" in response.content.decode()


def test_floor_refuses_other_methods(client, db, floor_on):
    response = client.post(reverse("benchmark-floor"))
    assert response.status_code == 405


def test_layout_page_is_not_found_when_the_setting_is_off(client, db, settings):
    settings.BENCHMARK_FLOOR = False
    assert client.get(reverse("benchmark-layout")).status_code == 404


def test_layout_page_draws_the_layout_alone_for_a_signed_in_person(
    client, member, floor_on, django_assert_num_queries
):
    from tests.helpers import session_queries

    client.force_login(member)
    client.get(reverse("benchmark-layout"))  # the first request after signing in refreshes the session
    with django_assert_num_queries(session_queries() + 1):  # the session, the person
        response = client.get(reverse("benchmark-layout"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Benchmark layout</h1>' in html
    assert "Your account" in html and "Subscribe to the newsletter" in html
