import re

import pytest


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run what services queue for after the commit (the outbox's send task, eager in unit tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in an email's text that starts with `path_prefix`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s>]*)", message.body)
    assert match, f"No {path_prefix} link in: {message.body}"
    return match[1]
