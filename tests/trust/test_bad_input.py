"""Property-based checks over form posts: any input gets a 2xx/3xx/4xx answer with a message,
never a 500, and nothing is stored half-way. HTML in names is shown escaped."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User

# Any Unicode (no surrogates), very long strings, and markup.
texts = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=50),
    st.text(st.characters(blacklist_categories=["Cs"]), min_size=200, max_size=2000),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            '=HYPERLINK("http://evil")',
            "\x00",
            "Robert'); DROP TABLE accounts_user;--",
            "💥" * 300,
            "",
            " ",
        ]
    ),
)

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@HYPOTHESIS
@given(full_name=texts, email=texts, job_title=texts, new_org=texts, password=texts)
def test_signup_never_errors_and_stores_all_or_nothing(org, full_name, email, job_title, new_org, password):
    before = User.objects.count()
    response = Client().post(
        reverse("account_signup"),
        {
            "full_name": full_name,
            "email": email,
            "job_title": job_title,
            "new_organisation_name": new_org,
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code in (200, 302, 400, 429)
    created = User.objects.count() - before
    if response.status_code == 200:
        assert created == 0
        assert "govuk-error-summary" in response.content.decode()
    if created:
        user = User.objects.latest("id")
        assert user.full_name and user.email
        User.objects.filter(id=user.id).delete()


@pytest.mark.django_db
@HYPOTHESIS
@given(full_name=texts, job_title=texts)
def test_profile_edit_never_errors_and_keeps_old_values_on_error(member, full_name, job_title):
    client = Client()
    client.force_login(member)
    member.refresh_from_db()
    old = (member.full_name, member.job_title)
    response = client.post(reverse("accounts:profile-edit"), {"full_name": full_name, "job_title": job_title})
    assert response.status_code in (200, 302, 400)
    member.refresh_from_db()
    if response.status_code != 302:
        assert (member.full_name, member.job_title) == old
        assert "govuk-error-summary" in response.content.decode()
    else:
        assert member.full_name == " ".join(full_name.split())


def test_names_with_markup_are_escaped_on_the_account_page(client, member):
    member.full_name = '<script>alert("x")</script> Amara'
    member.save()
    client.force_login(member)
    html = client.get(reverse("accounts:profile-detail")).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
