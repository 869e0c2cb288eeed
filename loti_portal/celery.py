"""The Celery app and its beat schedule.

With REDIS_URL set the broker is Redis; without it, kombu's filesystem transport under var/celery
(see settings), so a worker and beat run for real on a bare machine with no server.
"""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loti_portal.settings")

app = Celery("loti_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One dispatcher per concern: each selects due work and fans it out to small tasks. Tasks are
# named like services, `<app>.tasks.<noun>_<verb>` (`events.tasks.reminders_send_due`), and each
# beat entry is named after its task.
SCHEDULE = [
    ("outbox.tasks.emails_sweep", settings.OUTBOX_SWEEP_SECONDS),  # 30 s unless set
    ("networks.tasks.network_meetings_generate", crontab(hour=3, minute=15)),
    ("events.tasks.reminders_send_due", 2 * 60),
    ("events.tasks.waitlist_offers_lapse", 5 * 60),
    ("events.tasks.no_shows_mark", crontab(minute=5)),
    ("followup.tasks.feedback_requests_send", crontab(minute=20)),
    ("newsletter.tasks.issues_send_due", 60),
    ("newsletter.tasks.subscribers_purge", crontab(hour=2, minute=50)),
    ("newsletter.tasks.sessions_record_published", crontab(minute=5)),
    ("newsletter.tasks.digests_send", crontab(day_of_week="mon", hour=8, minute=0)),
    ("engagement.tasks.engagement_rollup_refresh", crontab(minute=5)),
    ("privacy.tasks.registration_answers_expire", crontab(hour=2, minute=40)),
    ("mentoring.tasks.mentoring_requests_move_on", 15 * 60),
    ("mentoring.tasks.mentoring_check_in_reminders_send", crontab(hour=9, minute=5)),
    ("mentoring.tasks.mentoring_circle_meetings_generate", crontab(hour=3, minute=25)),
    ("mentoring.tasks.mentoring_circle_reminders_send", 10 * 60),
    ("mentoring.tasks.mentoring_pairings_complete", crontab(hour=3, minute=45)),
]
app.conf.beat_schedule = {task: {"task": task, "schedule": schedule} for task, schedule in SCHEDULE}


@app.on_after_configure.connect
def _make_embedded_broker_folders(sender, **kwargs):
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
