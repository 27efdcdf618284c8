"""CSV export jobs: a list too long to stream within a request is written to a
file by a Celery task, and the client polls the job, then downloads the file.

The job's record (two files in ``CSV_EXPORT_DIR``: its state, then its CSV) is
``claims.services.exportjobs``, which also sends again the jobs whose message was
lost (``manage.py requeue_stale``, and beat through ``requeue_stale_exports_task``
below).

The task lives in the API because it runs the API's own query (the same filters
and ordering as the streamed path); it is registered through ``CELERY_IMPORTS``.
"""

from __future__ import annotations

import csv
import logging
import os
import secrets
import time

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from kombu.exceptions import OperationalError as BrokerError

from claims import selectors
from claims.api.pagination import CLAIM_ORDERINGS, apply_ordering
from claims.services.csvexport import HEADER, csv_records
from claims.services.exportjobs import (  # noqa: F401 (JOB_ID, QUEUED: this module's names too)
    DONE,
    FAILED,
    JOB_ID,
    QUEUED,
    RUNNING,
    ExportJob,
    csv_path,
    export_job_get,
    export_jobs_requeue_stale,
)
from claims.services.exportjobs import export_job_save as _save
from claims.services.exportjobs import export_jobs_sweep as _sweep

log = logging.getLogger(__name__)

PROGRESS_EVERY = 1.0  # seconds between two writes of the state while running


class QueueUnreachable(Exception):
    """The broker refused the job; its state says so too."""


def export_job_start(*, user, params: MultiValueDict, ordering: str) -> ExportJob:
    """Record a job for ``user``'s list and put it on the queue."""
    _sweep()
    job = ExportJob(
        id=secrets.token_hex(16), owner_id=user.pk, params=dict(params.lists()), ordering=ordering
    )
    _save(job)
    try:
        export_claims_csv.delay(job.id)
    except (BrokerError, ConnectionError, TimeoutError, OSError) as exc:
        log.warning("export %s: broker unreachable (%s)", job.id, exc)
        job.state, job.error = FAILED, "The export queue is unreachable; try again later."
        _save(job)
        raise QueueUnreachable(job.error) from exc
    return export_job_get(job_id=job.id) or job  # an eager run has finished it already


def _queryset(job: ExportJob):
    owner = get_user_model().objects.get(pk=job.owner_id)
    qs = selectors.claim_list(filters=MultiValueDict(job.params), user=owner)
    return apply_ordering(qs, CLAIM_ORDERINGS[job.ordering])


def export_job_run(*, job_id: str) -> None:
    """Write the job's CSV. Idempotent: a finished job is left alone, and a
    redelivered one writes its own temporary file and renames it over the result."""
    job = export_job_get(job_id=job_id)
    if job is None or job.state == DONE:
        return
    qs = _queryset(job)
    job.state, job.rows_written, job.rows_total = RUNNING, 0, qs.count()
    job.attempts += 1
    _save(job)
    final = csv_path(job)
    tmp = final.with_name(f"{job.id}.{secrets.token_hex(4)}.part")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as out:
            _write(job, qs, csv.writer(out))
        os.replace(tmp, final)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        now = export_job_get(job_id=job.id)
        if now is None or now.state != DONE:  # another delivery of it may have finished
            job.state, job.error = FAILED, f"The export failed: {exc.__class__.__name__}."
            _save(job)
        raise
    job.state, job.finished_at = DONE, timezone.now().isoformat()
    _save(job)


def _write(job: ExportJob, qs, writer) -> None:
    writer.writerow(HEADER)
    saved = time.monotonic()
    for record in csv_records(qs):
        writer.writerow(record)
        job.rows_written += 1
        if time.monotonic() - saved > PROGRESS_EVERY:
            _save(job)
            saved = time.monotonic()


@shared_task(ignore_result=True)
def export_claims_csv(job_id: str) -> None:
    export_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def requeue_stale_exports_task() -> list[str]:
    """Periodic (Celery beat): send again the export jobs whose message was lost."""
    return export_jobs_requeue_stale()
