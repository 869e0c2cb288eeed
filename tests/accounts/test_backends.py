"""Signing in goes through Django's and allauth's own backends, with their rules."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User


def test_a_deactivated_person_is_signed_out_on_their_next_request(client, member):
    client.force_login(member)
    assert client.get(reverse("accounts:profile-detail")).status_code == 200
    User.objects.filter(pk=member.pk).update(is_active=False)
    response = client.get(reverse("accounts:profile-detail"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_changed_password_signs_out_other_sessions(client, member):
    client.force_login(member)
    member.set_password("a new password for Amara")
    User.objects.filter(pk=member.pk).update(password=member.password)
    response = client.get(reverse("accounts:profile-detail"))
    assert response.status_code == 302


@pytest.mark.parametrize("email", ["amara@camden.gov.uk", "AMARA@Camden.gov.uk"])
def test_a_person_signs_in_with_their_email_address(client, member, email):
    member.set_password("a long password for Amara")
    member.save()
    EmailAddress.objects.update_or_create(
        user=member, email=member.email, defaults={"verified": True, "primary": True}
    )
    response = client.post(
        reverse("account_login"), {"login": email, "password": "a long password for Amara"}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile-detail")).status_code == 200


def _fields(person) -> dict:
    return {field.attname: getattr(person, field.attname) for field in User._meta.concrete_fields}


def test_the_person_loaded_is_the_one_django_loads(member):
    from django.utils import timezone

    User.objects.filter(pk=member.pk).update(last_login=timezone.now())
    loaded = User.objects.get(pk=member.pk)  # as Django's sign-in backend asks
    expected = User.objects.filter(pk=member.pk).get()  # the ORM's own query
    assert _fields(loaded) == _fields(expected)
    assert timezone.is_aware(loaded.date_joined) and timezone.is_aware(loaded.last_login)
    assert loaded.is_active is True and loaded.is_staff is False
    assert not loaded._state.adding and loaded._state.db == "default"


def test_a_person_who_is_not_there_is_not_found(member):
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=member.pk + 1000)
