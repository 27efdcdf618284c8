"""CSV export jobs, their record: a list too long to stream within a request is
written to a file by a Celery task (``claims.api.exportjobs``, which runs the API's
own query), and the client polls the job, then downloads the file.

A job is two files in ``CSV_EXPORT_DIR`` (no table: a job is a throwaway artefact,
and files are what every web and worker process on the machine already share):
``<id>.json``, its state, replaced atomically at each update, and ``<id>.csv``,
which appears, by a rename, only once it is complete; a partial file is never
served. The id is 128 random bits, and only the job's owner may see it.

A job whose message was lost (Redis restarted without persistence) would wait
forever: ``export_jobs_requeue_stale`` (``manage.py requeue_stale``, and beat every
minute) sends it again, as it does for articles. The task is published by name
through Celery's registry: it lives in the API, above this layer.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_ID = re.compile(r"[0-9a-f]{32}")
EXPORT_TASK = "claims.api.exportjobs.export_claims_csv"
# A run saves the job's progress every second or so (PROGRESS_EVERY); a state file
# older than the task's hard time limit, plus this, has no run left to save it.
RUNNING_MARGIN = 60


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
    attempts: int = 0  # runs started (a run that never finished is sent again, up to a cap)

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


def export_job_save(job: ExportJob) -> None:
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


def export_jobs_sweep() -> None:
    """Delete the files of jobs older than CSV_EXPORT_KEEP_HOURS."""
    oldest = time.time() - settings.CSV_EXPORT_KEEP_HOURS * 3600
    for path in _dir().iterdir():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:
            pass  # another process swept it first


def export_jobs_requeue_stale(*, older_than: timedelta | None = None) -> list[str]:
    """Send again the jobs whose message was lost; returns their ids.

    * queued, its state unchanged for ``older_than`` (ANALYSIS_STALE_AFTER, as for
      articles: past the broker's visibility timeout, after which a message a dead
      worker held would have been delivered again);
    * running, its state unchanged for longer than that and than the task's hard
      time limit (CELERY_TASK_TIME_LIMIT, plus a margin): a live run saves its
      progress every second, and the limit kills any run, so none is left. Such a
      job is sent again until it has started CSV_EXPORT_MAX_ATTEMPTS runs; then it
      fails with the reason (it may be too long to finish within the limit).

    A job sent again has its state file rewritten, so it is sent at most once per
    ``older_than``; a run delivered twice does no harm (export_job_run is
    idempotent). A broker still down leaves the job queued for the next sweep."""
    if older_than is None:
        older_than = timedelta(seconds=settings.ANALYSIS_STALE_AFTER)
    now = time.time()
    queued_before = now - older_than.total_seconds()
    running_before = now - max(
        older_than.total_seconds(), settings.CELERY_TASK_TIME_LIMIT + RUNNING_MARGIN
    )
    requeued = []
    for path in sorted(_dir().glob("*.json")):
        try:
            changed = path.stat().st_mtime
        except FileNotFoundError:
            continue  # swept meanwhile
        if changed >= queued_before or not JOB_ID.fullmatch(path.stem):
            continue
        job = export_job_get(job_id=path.stem)
        if job is None:
            continue
        if job.state == RUNNING and changed < running_before:
            if job.attempts >= settings.CSV_EXPORT_MAX_ATTEMPTS:
                job.state, job.finished_at = FAILED, timezone.now().isoformat()
                job.error = (
                    f"The export did not finish ({job.attempts} tries: its worker stopped, or "
                    "the list is too long for the task's time limit). Try a shorter list."
                )
                export_job_save(job)
                continue
        elif job.state != QUEUED:
            continue
        job.state, job.rows_written = QUEUED, 0
        export_job_save(job)
        if _publish(job.id):
            requeued.append(job.id)
    return requeued


def _publish(job_id: str) -> bool:
    app = current_app
    try:
        if EXPORT_TASK not in app.tasks:
            app.loader.import_default_modules()  # a process that has not loaded it yet
        app.tasks[EXPORT_TASK].apply_async((job_id,), ignore_result=True)
    except (BrokerError, ConnectionError, TimeoutError, OSError) as exc:  # the next sweep tries
        log.warning("export %s: not queued again (%s)", job_id, exc)
        return False
    return True
