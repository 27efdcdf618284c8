"""The embedded mode (no CELERY_BROKER_URL): tasks run in-process with nothing to
configure, and say nothing about a broker. Kombu's in-memory transport used to log
"No hostname was supplied. Reverting to default 'localhost'" (a WARNING) as the
first task of every process ran: in scripts/run's output right after the
migrations, and again from the server, as if something were amiss."""

import logging

import pytest
from django.conf import settings

from claims.services import article_ingest
from tests.factories import ARTICLE_TEXT, editor

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_embedded_analysis_logs_no_broker_warning(caplog):
    if not settings.CELERY_TASK_ALWAYS_EAGER:  # CELERY_BROKER_URL given: a real broker
        pytest.skip("the embedded mode only (no CELERY_BROKER_URL), as scripts/run starts")
    with caplog.at_level(logging.WARNING, logger="kombu"):
        result = article_ingest(text=ARTICLE_TEXT, user=editor())
    result.article.refresh_from_db()
    assert result.article.state == "analyzed"
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kombu")] == []
