"""Every app that says what personal data it holds (its own `<app>/privacy.py`) is part of
"download my data" and of deleting an account."""

import importlib
import importlib.util

from django.apps import apps

from privacy.services import PARTS


def test_every_apps_privacy_module_is_listed_in_the_parts():
    functions = [function for part in PARTS for function in (part.export, part.delete) if function]
    listed = {function.__module__ for function in functions}
    ours = [config.name for config in apps.get_app_configs() if config.name != "privacy"]
    with_privacy = [name for name in ours if importlib.util.find_spec(f"{name}.privacy") is not None]
    assert {"accounts", "events", "networks", "newsletter", "outbox"} <= set(with_privacy)
    for name in with_privacy:
        assert f"{name}.privacy" in listed, f"{name}/privacy.py is not in privacy.services.PARTS"


def test_the_outbox_part_runs_last_so_the_emails_others_write_while_deleting_go_too():
    assert PARTS[-1].delete.__module__ == "outbox.privacy"
