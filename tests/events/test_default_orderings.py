"""An event's rows (registrations, speakers, questions, invitations, materials, feedback) sort
by their own columns when a read names no order: `.first()` and unordered lists never join the
events table to sort, and one event's rows still come in the order they were added."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Invitation, Question, Registration, Speaker
from followup.models import FeedbackResponse, Material


@pytest.mark.parametrize("model", [Registration, Speaker, Question, Invitation, Material, FeedbackResponse])
def test_an_unordered_read_of_an_events_rows_does_not_join_the_events_table(db, model):
    with CaptureQueriesContext(connection) as queries:
        model.objects.filter(pk=1).first()

    (query,) = queries.captured_queries
    assert "events_event" not in query["sql"]
