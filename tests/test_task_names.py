"""Background tasks are named like services, `<app>.tasks.<noun>_<verb>`, and beat runs only
tasks that exist.

Tasks are read from each app's tasks.py source (every @shared_task takes its function's name), so
the answer does not depend on which tests have used the Celery app before."""

import ast
from pathlib import Path

from django.apps import apps

from loti_portal.celery import app as celery_app

# Verbs a task name could start with if it were named the other way round (`send_emails`).
VERBS = {"send", "sweep", "mark", "lapse", "generate", "refresh", "purge", "record", "expire", "delete"}


def _is_shared_task(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "shared_task"


def our_tasks() -> set[str]:
    names = set()
    for config in apps.get_app_configs():
        source = Path(config.path) / "tasks.py"
        if config.name.startswith("django.") or not source.exists():
            continue
        for node in ast.parse(source.read_text()).body:
            if isinstance(node, ast.FunctionDef) and any(map(_is_shared_task, node.decorator_list)):
                names.add(f"{config.name}.tasks.{node.name}")
    return names


def test_every_beat_entry_runs_a_task_that_exists_and_is_named_after_it():
    tasks = our_tasks()
    for name, entry in celery_app.conf.beat_schedule.items():
        assert entry["task"] in tasks, entry["task"]
        assert name == entry["task"]


def test_every_task_is_named_noun_first_in_its_apps_tasks_module():
    names = our_tasks()
    assert {"outbox.tasks.emails_send", "events.tasks.reminders_send_due"} <= names
    for name in names:
        function = name.rsplit(".", 1)[1]
        assert function.split("_")[0] not in VERBS, f"{name}: the noun comes first, then the verb"
