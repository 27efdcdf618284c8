"""CSV export jobs: a list too long to stream within a request is written to a
file by a Celery task, and the client polls the job, then downloads the file.

A job is two files in ``CSV_EXPORT_DIR`` (no table: a job is a throwaway artefact,
and files are what every web and worker process on the machine already share):
``<id>.json``, its state, replaced atomically at each update, and ``<id>.csv``,
which appears, by a rename, only once it is complete; a partial file is never
served. The id is 128 random bits, and only the job's owner may see it.

The task lives in the API because it runs the API's own query (the same filters
and ordering as the streamed path); it is registered through ``CELERY_IMPORTS``.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from kombu.exceptions import OperationalError as BrokerError

from claims import selectors
from claims.api.pagination import CLAIM_ORDERINGS, apply_ordering
from claims.services.csvexport import HEADER, csv_records

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_ID = re.compile(r"[0-9a-f]{32}")
PROGRESS_EVERY = 1.0  # seconds between two writes of the state while running


class QueueUnreachable(Exception):
    """The broker refused the job; its state says so too."""


@dataclass
class ExportJob:
    id: str
    owner_id: int
    params: dict[str, list[str]]
    ordering: str
    state: str = QUEUED
    rows_total: int | None = None
    rows_written: int = 0
    error: str = ""
    created_at: str = field(default_factory=lambda: timezone.now().isoformat())
    finished_at: str = ""

    @property
    def progress(self) -> float | None:
        if self.state == DONE:
            return 1.0
        if not self.rows_total:
            return None
        return round(min(self.rows_written / self.rows_total, 1.0), 3)


def _dir() -> Path:
    path = Path(settings.CSV_EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def csv_path(job: ExportJob) -> Path:
    return _dir() / f"{job.id}.csv"


def _save(job: ExportJob) -> None:
    # Write then rename: a poller never reads half a state file.
    path = _dir() / f"{job.id}.json"
    tmp = path.with_name(f"{job.id}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(asdict(job)))
    os.replace(tmp, path)


def export_job_get(*, job_id: str, user=None) -> ExportJob | None:
    """The job, or None if there is none by that id (or ``user`` does not own it)."""
    if not JOB_ID.fullmatch(job_id or ""):
        return None
    try:
        job = ExportJob(**json.loads((_dir() / f"{job_id}.json").read_text()))
    except FileNotFoundError:
        return None
    if user is not None and job.owner_id != user.pk:
        return None
    return job


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


def _sweep() -> None:
    """Delete the files of jobs older than CSV_EXPORT_KEEP_HOURS."""
    oldest = time.time() - settings.CSV_EXPORT_KEEP_HOURS * 3600
    for path in _dir().iterdir():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:
            pass  # another process swept it first


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
    _save(job)
    final = csv_path(job)
    tmp = final.with_name(f"{job.id}.{secrets.token_hex(4)}.part")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as out:
            _write(job, qs, csv.writer(out))
        os.replace(tmp, final)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
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
