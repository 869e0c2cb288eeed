"""The Celery app and its beat schedule.

With REDIS_URL set the broker is Redis; without it, kombu's filesystem transport under var/celery
(see settings), so a worker and beat run for real on a bare machine with no server.
"""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loti_portal.settings")

app = Celery("loti_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One dispatcher per concern: each selects due work and fans it out to small tasks.
app.conf.beat_schedule = {
    "outbox-sweep": {"task": "outbox.tasks.sweep", "schedule": 30},
    "networks-generate-meetings": {
        "task": "networks.tasks.networks_generate_meetings",
        "schedule": crontab(hour=3, minute=15),
    },
    "events-send-due-reminders": {"task": "events.tasks.send_due_reminders", "schedule": 2 * 60},
    "events-lapse-waitlist-offers": {"task": "events.tasks.lapse_waitlist_offers", "schedule": 5 * 60},
    "events-mark-no-shows": {"task": "events.tasks.mark_no_shows", "schedule": crontab(minute=5)},
    "accounts-delete-expired-answers": {
        "task": "accounts.tasks.registration_answers_delete_expired",
        "schedule": crontab(hour=2, minute=40),
    },
}


@app.on_after_configure.connect
def _make_embedded_broker_folders(sender, **kwargs):
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
