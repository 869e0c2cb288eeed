"""Background tasks are named like services, `<app>.tasks.<noun>_<verb>`, and beat runs only
tasks that exist."""

from django.apps import apps

from loti_portal.celery import app as celery_app

# Verbs a task name could start with if it were named the other way round (`send_emails`).
VERBS = {"send", "sweep", "mark", "lapse", "generate", "refresh", "purge", "record", "expire", "delete"}


def setup_module():
    celery_app.loader.import_default_modules()  # what a worker does at start: find every tasks.py


def our_tasks() -> list[str]:
    ours = {config.name for config in apps.get_app_configs() if not config.name.startswith("django.")}
    return sorted(name for name in celery_app.tasks if name.split(".")[0] in ours)


def test_every_beat_entry_runs_a_registered_task_and_is_named_after_it():
    for name, entry in celery_app.conf.beat_schedule.items():
        assert entry["task"] in celery_app.tasks, entry["task"]
        assert name == entry["task"]


def test_every_task_is_named_noun_first_in_its_apps_tasks_module():
    names = our_tasks()
    assert "outbox.tasks.emails_send" in names and "events.tasks.reminders_send_due" in names
    for name in names:
        _, module, function = name.split(".")
        assert module == "tasks", name
        assert function.split("_")[0] not in VERBS, f"{name}: the noun comes first, then the verb"
