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
