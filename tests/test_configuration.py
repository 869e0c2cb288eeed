"""Start-up refuses missing or malformed configuration with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 50


def start(then="", **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OUTBOX_")
        and k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_URL",
            "SITE_URL",
            "ALLOWED_HOSTS",
            "DEFAULT_FROM_EMAIL",
            "ANSWER_RETENTION_DAYS",
        }
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()" + then],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "loti_portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "false"}, "SECRET_KEY"),
        (
            {"DEBUG": "false", "SECRET_KEY": "django-insecure-dev-only-key-never-use-in-production"},
            "SECRET_KEY",
        ),
        ({"DEBUG": "false", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"DEBUG": "true", "DATABASE_URL": "nonsense://x"}, "DATABASE_URL"),
        ({"DEBUG": "true", "REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"DEBUG": "true", "EMAIL_URL": "carrier-pigeon://coop"}, "EMAIL_URL"),
        ({"DEBUG": "true", "SITE_URL": "portal.example.org"}, "SITE_URL"),
        ({"DEBUG": "true", "DEFAULT_FROM_EMAIL": "nobody"}, "DEFAULT_FROM_EMAIL"),
        ({"DEBUG": "true", "CONTACT_EMAIL": "Networks <networks@loti.london>"}, "CONTACT_EMAIL"),
        ({"DEBUG": "true", "ANSWER_RETENTION_DAYS": "six months"}, "ANSWER_RETENTION_DAYS"),
        ({"DEBUG": "true", "ANSWER_RETENTION_DAYS": "-1"}, "ANSWER_RETENTION_DAYS"),
        ({"DEBUG": "true", "OUTBOX_LEASE_SECONDS": "2"}, "OUTBOX_LEASE_SECONDS"),
        ({"DEBUG": "true", "OUTBOX_SWEEP_SECONDS": "half a minute"}, "OUTBOX_SWEEP_SECONDS"),
        ({"DEBUG": "true", "OUTBOX_REQUEUE_SECONDS": "0"}, "OUTBOX_REQUEUE_SECONDS"),
        ({"DEBUG": "true", "OUTBOX_RETRY_FIRST_SECONDS": "-30"}, "OUTBOX_RETRY_FIRST_SECONDS"),
        (
            {"DEBUG": "true", "OUTBOX_RETRY_FIRST_SECONDS": "60", "OUTBOX_RETRY_MAX_SECONDS": "30"},
            "OUTBOX_RETRY_MAX_SECONDS",
        ),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_variable(env, named):
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert named in last_line, result.stderr


def test_production_configuration_starts():
    result = start(
        DEBUG="false",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_bare_machine_defaults_start():
    result = start(DEBUG="true")
    assert result.returncode == 0, result.stderr


OUTBOX_CLOCKS = """
from loti_portal.celery import app
from outbox import services
print(services.LEASE.total_seconds(), services.RENEW_EVERY.total_seconds(),
      app.conf.beat_schedule["outbox.tasks.emails_sweep"]["schedule"],
      services.REQUEUE_AFTER.total_seconds(), services.retry_delay(1) <= services.RETRY_FIRST,
      services.RETRY_MAX.total_seconds())
"""


def test_the_outbox_clocks_are_production_s_unless_set():
    result = start(then=OUTBOX_CLOCKS, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["45.0", "15.0", "30", "60.0", "True", "1800.0"]


def test_the_outbox_and_beat_take_their_clocks_from_the_environment():
    result = start(
        then=OUTBOX_CLOCKS,
        DEBUG="true",
        OUTBOX_LEASE_SECONDS="9",
        OUTBOX_SWEEP_SECONDS="2",
        OUTBOX_REQUEUE_SECONDS="5",
        OUTBOX_RETRY_FIRST_SECONDS="3",
        OUTBOX_RETRY_MAX_SECONDS="40",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["9.0", "3.0", "2", "5.0", "True", "40.0"]
