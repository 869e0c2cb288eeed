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
    "newsletter-send-due": {"task": "newsletter.tasks.issues_send_due", "schedule": 60},
    "newsletter-purge-subscribers": {
        "task": "newsletter.tasks.subscribers_purge",
        "schedule": crontab(hour=2, minute=50),
    },
    "newsletter-record-published": {
        "task": "newsletter.tasks.sessions_record_published",
        "schedule": crontab(minute=5),
    },
    "newsletter-digests": {
        "task": "newsletter.tasks.digests_send",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
    },
    "engagement-rollup-refresh": {
        "task": "engagement.tasks.engagement_rollup_refresh",
        "schedule": crontab(minute=5),
    },
    "events-lapse-waitlist-offers": {"task": "events.tasks.lapse_waitlist_offers", "schedule": 5 * 60},
    "events-mark-no-shows": {"task": "events.tasks.mark_no_shows", "schedule": crontab(minute=5)},
    "followup-feedback-requests": {
        "task": "followup.tasks.feedback_requests_send",
        "schedule": crontab(minute=20),
    },
    "accounts-delete-expired-answers": {
        "task": "accounts.tasks.registration_answers_delete_expired",
        "schedule": crontab(hour=2, minute=40),
    },
    "mentoring-requests-move-on": {"task": "mentoring.tasks.mentoring_requests_move_on", "schedule": 15 * 60},
    "mentoring-check-in-reminders": {
        "task": "mentoring.tasks.mentoring_check_in_reminders_send",
        "schedule": crontab(hour=9, minute=5),
    },
    "mentoring-circle-meetings": {
        "task": "mentoring.tasks.mentoring_circle_meetings_generate",
        "schedule": crontab(hour=3, minute=25),
    },
    "mentoring-circle-reminders": {
        "task": "mentoring.tasks.mentoring_circle_reminders_send",
        "schedule": 10 * 60,
    },
    "mentoring-pairings-complete": {
        "task": "mentoring.tasks.mentoring_pairings_complete",
        "schedule": crontab(hour=3, minute=45),
    },
}


@app.on_after_configure.connect
def _make_embedded_broker_folders(sender, **kwargs):
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
