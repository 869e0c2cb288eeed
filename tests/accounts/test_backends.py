"""Loading the signed-in person: the same person as Django's own query, and the same rules."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import AuthenticationBackend, ModelBackend, user_by_pk
from accounts.models import User
from tests.factories import UserFactory


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_the_person_loaded_is_the_one_django_loads(db, org, backend):
    person = UserFactory(full_name="Amara Member", job_title="Data lead", organisation=org)
    loaded, expected = backend.get_user(str(person.pk)), DjangoModelBackend().get_user(person.pk)
    fields = [field.attname for field in User._meta.concrete_fields]
    assert [getattr(loaded, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert loaded._state.db == "default" and not loaded._state.adding


def test_the_person_is_loaded_in_one_query(db):
    person = UserFactory()
    user_by_pk(person.pk)
    with CaptureQueriesContext(connection) as queries:
        assert user_by_pk(str(person.pk)).pk == person.pk
    assert len(queries) == 1


@pytest.mark.parametrize("user_id", ["999999", "not a number", "", None, "1; DROP TABLE accounts_user"])
def test_no_such_person_is_nobody(db, user_id):
    assert ModelBackend().get_user(user_id) is None


def test_a_deactivated_person_is_signed_out_on_their_next_request(client, member):
    client.force_login(member)
    assert client.get(reverse("accounts:profile-detail")).status_code == 200
    User.objects.filter(pk=member.pk).update(is_active=False)  # no signal, no cache to clear
    response = client.get(reverse("accounts:profile-detail"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_changed_password_signs_out_other_sessions(client, member):
    client.force_login(member)
    member.set_password("a new password for Amara")
    User.objects.filter(pk=member.pk).update(password=member.password)
    response = client.get(reverse("accounts:profile-detail"))
    assert response.status_code == 302
