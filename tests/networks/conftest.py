import pytest

from networks.models import Network
from tests.factories import NetworkFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """These tests create many people; the production hasher would take most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def open_network(db):
    return NetworkFactory(
        name="Data Scientists",
        join_policy=Network.JoinPolicy.OPEN,
        eligible_organisation_kinds=["borough", "partner"],
        discussion_url="https://3.basecamp.com/loti/projects/data-scientists",
    )


@pytest.fixture
def approval_network(db):
    return NetworkFactory(
        name="Data Leaders",
        join_policy=Network.JoinPolicy.APPROVAL,
        eligible_organisation_kinds=["borough", "partner"],
        asks_seniority=True,
        discussion_url="https://3.basecamp.com/loti/projects/data-leaders",
    )


@pytest.fixture
def invitation_network(db):
    return NetworkFactory(name="Chief Officers", join_policy=Network.JoinPolicy.INVITATION)


@pytest.fixture
def answers():
    return {
        "job_title": "Head of Data",
        "organisation": "Camden",
        "reason": "To learn from other boroughs' data strategies.",
        "seniority": "head_of_service",
    }


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what services queue for after the commit (emails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
