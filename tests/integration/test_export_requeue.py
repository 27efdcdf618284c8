"""An export job whose message the broker lost (Redis restarted without
persistence) is sent again by requeue_stale, on the real broker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/integration/test_export_requeue.py -q
"""

from __future__ import annotations

import io
import json
import os

import pytest
import redis
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import ArticleFactory, ClaimFactory, viewer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_lost_export_message_is_sent_again(broker, settings, tmp_path):
    settings.CSV_EXPORT_DIR = tmp_path / "exports"
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    ClaimFactory.create_batch(3, article=ArticleFactory())
    client = APIClient()
    client.force_authenticate(viewer())
    response = client.get("/api/v1/claims/export.csv")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["state"] == "queued"
    queue = redis.Redis.from_url(broker)
    assert queue.llen("default") == 1  # the job's message, waiting for a worker

    queue.flushdb()  # Redis restarted without persistence: the message is gone
    state = settings.CSV_EXPORT_DIR / f"{job['id']}.json"
    then = state.stat().st_mtime - settings.ANALYSIS_STALE_AFTER - 1
    os.utime(state, (then, then))
    out = io.StringIO()
    call_command("requeue_stale", stdout=out)  # what beat runs every minute
    assert f"requeued 1 export job(s): {job['id']}" in out.getvalue()
    [message] = queue.lrange("default", 0, -1)
    assert json.loads(message)["headers"]["task"] == "claims.api.exportjobs.export_claims_csv"
    assert client.get(job["url"]).json()["state"] == "queued"
    call_command("requeue_stale", stdout=io.StringIO())  # sent once, not every minute
    assert queue.llen("default") == 1
