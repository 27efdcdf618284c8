"""The Celery app. Workers: `celery -A tracker worker` (every queue), or one set of
workers per queue: `celery -A tracker worker -Q analysis`, `... -Q default`; the
periodic re-queue of stuck articles: `celery -A tracker beat`."""

import logging
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

ANALYSIS_QUEUE = "analysis"
log = logging.getLogger(__name__)


@worker_process_init.connect
def warm_engine(**kwargs) -> None:
    """Each pool process of a worker that takes analyses loads the spaCy pipeline
    as it starts (once per process, never per task), so the first article does
    not wait for it. A worker for the light queues only (-Q default) skips it."""
    if ANALYSIS_QUEUE not in app.amqp.queues.consume_from:
        return
    from claims.services.pipeline import engine_warm  # the app is set up by now

    try:
        engine_warm()
    except Exception:
        # No model, say: the worker still starts, and each analysis fails the
        # article with the reason, where people see it.
        log.exception("the analysis engine could not be warmed up")
