"""CSV export at scale: never the analysis blob, queries flat in rows, and past
CSV_EXPORT_SYNC_MAX_ROWS an export job (here run eagerly, as in embedded mode)."""

import csv
import io
import json
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError as BrokerError

from claims.api import exportjobs
from claims.api.csvexport import count_up_to
from claims.models import Claim, HedgeCue
from tests.api.conftest import error_of
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, checker, viewer

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/export.csv"


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.CSV_EXPORT_DIR = tmp_path / "exports"
    return settings.CSV_EXPORT_DIR


def claims(n: int, *, article=None):
    article = article or ArticleFactory(analysis_data={"claims": [{"text": "x" * 1000}]})
    made = ClaimFactory.create_batch(n, article=article, assignee=checker())
    HedgeCue.objects.bulk_create(
        HedgeCue(claim=c, text="reportedly", category="reportative", start=0, end=10) for c in made
    )
    return made


def parse(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def streamed(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def export_queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        streamed(client.get(URL, params))
    return [q["sql"] for q in ctx.captured_queries]


def test_queries_stay_flat_in_rows_and_never_read_the_blob(api_as):
    client = api_as("viewer")
    claims(5)
    few = export_queries(client)
    claims(195)
    many = export_queries(client)
    assert len(many) == len(few)
    for sql in many:
        assert "analysis_data" not in sql and "raw_text" not in sql, sql


def test_rows_carry_article_title_assignee_and_hedges(api_as):
    [claim] = claims(1)
    [row] = parse(streamed(api_as("viewer").get(URL)))
    assert row["article_title"] == claim.article.title
    assert row["assignee"] == "checker"
    assert row["hedges"] == "reportedly (reportative)"
    assert row["created_at"] == claim.created_at.isoformat()


def test_count_up_to_stops_at_the_limit():
    claims(7)
    qs = Claim.objects.all()
    assert count_up_to(qs, 3) == 3 and count_up_to(qs, 100) == 7


# --- Export jobs --------------------------------------------------------------------------


def test_past_the_limit_a_job_writes_the_same_csv(api_as, settings):
    claims(6)
    low = ClaimFactory(confidence_score=0.2, confidence_level="very_low", text="=1+1")
    client = api_as("viewer")
    params = {"ordering": "-checkworthiness", "confidence_level": ["high", "very_low"]}
    expected = streamed(client.get(URL, params))

    settings.CSV_EXPORT_SYNC_MAX_ROWS = 3
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(URL, params)
    assert r.status_code == 202 and r["Content-Type"].startswith("application/json")
    assert not any("analysis_data" in q["sql"] for q in ctx.captured_queries)
    job = r.json()
    assert r["Location"] == job["url"] and job["url"].endswith(f"/api/v1/exports/{job['id']}/")

    status = client.get(job["url"]).json()  # eager: the task ran within the request
    assert status["state"] == "done" and status["progress"] == 1.0
    assert status["rows_total"] == status["rows_written"] == 7
    got = client.get(status["download_url"])
    assert got.status_code == 200 and got["Content-Type"] == "text/csv; charset=utf-8"
    assert got["Content-Disposition"].startswith('attachment; filename="claims-')
    body = b"".join(got.streaming_content)
    assert body == expected
    assert any(row["text"] == "'=1+1" and row["id"] == str(low.pk) for row in parse(body))


def test_a_job_is_its_owners_only(api_as, settings, anon):
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    job = api_as("viewer").get(URL).json()
    other = api_as(checker())
    for url in (job["url"], job["download_url"]):
        r = other.get(url)
        assert r.status_code == 404 and error_of(r)["code"] == "not_found"
        r = anon.get(url)
        assert r.status_code == 401 and error_of(r)["code"] == "not_authenticated"


def test_exports_need_the_right_to_read_claims(api_as, settings):
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    owner = viewer()
    job = api_as(owner).get(URL).json()
    nobody = UserFactory(username="nobody")  # no role
    assert api_as(nobody).get(URL).status_code == 403
    owner.groups.clear()  # the owner lost the role since
    owner = type(owner).objects.get(pk=owner.pk)
    r = api_as(owner).get(job["url"])
    assert r.status_code == 403 and error_of(r)["code"] == "permission_denied"


def test_a_failed_job_says_so_and_serves_no_file(api_as, settings, monkeypatch, export_dir):
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1

    def broken(qs):
        yield ["half a row"]
        raise OSError("disk full")

    monkeypatch.setattr(exportjobs, "csv_records", broken)
    client = api_as("viewer")
    job = client.get(URL).json()
    status = client.get(job["url"]).json()
    assert status["state"] == "failed" and status["download_url"] is None
    assert status["error"] == "The export failed: OSError."
    assert [p.suffix for p in export_dir.iterdir()] == [".json"]  # no partial file
    r = client.get(job["url"] + "download/")
    assert r.status_code == 409 and "failed" in error_of(r)["message"]


def test_a_job_waiting_in_the_queue_shows_no_progress(api_as, settings, monkeypatch):
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(exportjobs.export_claims_csv, "delay", lambda job_id: None)
    client = api_as("viewer")
    job = client.get(URL).json()
    assert job["state"] == "queued" and job["progress"] is None and job["download_url"] is None
    assert client.get(job["url"] + "download/").status_code == 409
    exportjobs.export_claims_csv(job["id"])  # the worker picks it up
    assert client.get(job["url"]).json()["state"] == "done"
    exportjobs.export_claims_csv(job["id"])  # redelivered: no harm
    assert client.get(job["url"] + "download/").status_code == 200


def test_an_unreachable_queue_is_a_503(api_as, settings, monkeypatch, export_dir):
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1

    def down(job_id):
        raise BrokerError("connection refused")

    monkeypatch.setattr(exportjobs.export_claims_csv, "delay", down)
    r = api_as("viewer").get(URL)
    assert r.status_code == 503 and error_of(r)["code"] == "queue_unavailable"
    [state] = export_dir.iterdir()
    assert json.loads(state.read_text())["state"] == "failed"


@pytest.mark.parametrize("job_id", ["../../etc/passwd", "0" * 31, "g" * 32])
def test_only_job_ids_are_read(job_id):
    assert exportjobs.export_job_get(job_id=job_id) is None


def test_old_jobs_are_swept(api_as, settings, export_dir):
    claims(2)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    client = api_as("viewer")
    first = client.get(URL).json()
    settings.CSV_EXPORT_KEEP_HOURS = -1  # everything is old now
    client.get(URL)
    assert client.get(first["url"]).status_code == 404


# --- Jobs whose message was lost ------------------------------------------------------------


def aged(job_id: str, export_dir, seconds: float) -> None:
    """The job's state file as last written ``seconds`` ago."""
    path = export_dir / f"{job_id}.json"
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


def test_a_queued_job_whose_message_was_lost_is_queued_again(
    api_as, settings, monkeypatch, export_dir
):
    """Redis restarted without persistence: the job's message is gone, and the job
    stayed queued forever. requeue_stale (beat, every minute) sends it again once
    it has waited longer than ANALYSIS_STALE_AFTER, as it does for articles."""
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(exportjobs.export_claims_csv, "delay", lambda job_id: None)  # lost
    client = api_as("viewer")
    job = client.get(URL).json()
    out = io.StringIO()
    call_command("requeue_stale", "--older-than", "600", stdout=out)
    assert "export job" not in out.getvalue()  # not stale yet
    assert client.get(job["url"]).json()["state"] == "queued"

    aged(job["id"], export_dir, 601)
    out = io.StringIO()
    call_command("requeue_stale", "--older-than", "600", stdout=out)
    assert f"requeued 1 export job(s): {job['id']}" in out.getvalue()
    status = client.get(job["url"]).json()  # eager: it ran as it was sent
    assert status["state"] == "done" and status["rows_written"] == 3
    assert client.get(status["download_url"]).status_code == 200


def test_a_running_job_is_queued_again_only_past_the_task_time_limit(
    api_as, settings, monkeypatch, export_dir
):
    """A running job writes its progress every second; one whose state has not moved
    for longer than the task's hard time limit has no worker left (the limit kills
    any run), so it is sent again; a younger one may still be running: left alone.
    After CSV_EXPORT_MAX_ATTEMPTS runs that never finished, it fails with the reason."""
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(exportjobs.export_claims_csv, "delay", lambda job_id: None)
    client = api_as("viewer")
    job_id = client.get(URL).json()["id"]
    job = exportjobs.export_job_get(job_id=job_id)
    job.state = exportjobs.RUNNING  # a worker took it, then died with the message lost
    exportjobs._save(job)
    aged(job_id, export_dir, settings.CELERY_TASK_TIME_LIMIT - 10)
    call_command("requeue_stale", "--older-than", "0", stdout=io.StringIO())
    assert exportjobs.export_job_get(job_id=job_id).state == "running"  # may be alive

    aged(job_id, export_dir, 80)  # past the hard limit and its margin
    out = io.StringIO()
    call_command("requeue_stale", "--older-than", "0", stdout=out)
    assert f"requeued 1 export job(s): {job_id}" in out.getvalue()
    assert exportjobs.export_job_get(job_id=job_id).state == "done"


def test_a_job_that_never_finishes_fails_after_its_attempts(
    api_as, settings, monkeypatch, export_dir
):
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(exportjobs.export_claims_csv, "delay", lambda job_id: None)
    client = api_as("viewer")
    job_id = client.get(URL).json()["id"]
    job = exportjobs.export_job_get(job_id=job_id)
    job.state, job.attempts = exportjobs.RUNNING, settings.CSV_EXPORT_MAX_ATTEMPTS
    exportjobs._save(job)
    aged(job_id, export_dir, settings.CELERY_TASK_TIME_LIMIT + 70)
    out = io.StringIO()
    call_command("requeue_stale", "--older-than", "0", stdout=out)
    assert "export job" not in out.getvalue()
    status = client.get(f"/api/v1/exports/{job_id}/").json()
    assert status["state"] == "failed" and "did not finish" in status["error"]


def test_downloading_an_unfinished_job_is_a_409(api_as, settings, monkeypatch):
    """The job exists: a 404 said it did not. 409 export_not_done, with its state."""
    claims(3)
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(exportjobs.export_claims_csv, "delay", lambda job_id: None)
    client = api_as("viewer")
    job = client.get(URL).json()
    r = client.get(job["url"] + "download/")
    assert r.status_code == 409, r.content
    assert error_of(r)["code"] == "export_not_done" and "queued" in error_of(r)["message"]


def test_beat_sends_lost_export_jobs_again_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stale-exports"]
    assert entry["task"] == exportjobs.requeue_stale_exports_task.name
    assert entry["schedule"] == settings.CELERY_BEAT_SCHEDULE["requeue-stale-articles"]["schedule"]
    assert entry["options"]["queue"] == "default"
