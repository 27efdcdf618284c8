"""The README's backup and restore, done for real on PostgreSQL: pg_dump -Fc of a
database with claims and their history, pg_restore into a fresh database, and every
claim, status change, other change and piece of evidence is there, unchanged."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from claims.models import Claim
from claims.workflow import claim_transition, evidence_add
from tests.factories import ClaimFactory, checker, editor
from tests.integration.conftest import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLES = {  # table: its columns as the test compares them (ordered by id)
    "claims_article": "id, title, raw_text, content_hash, state",
    "claims_claim": "id, article_id, text, status, version, assignee_id, confidence_level",
    "claims_statuschange": "*",
    "claims_claimchange": "*",
    "claims_evidence": "*",
    "auth_user": "id, username, password",
}


def rows(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
            for table, columns in TABLES.items()
        }


def test_a_pg_dump_restored_into_a_fresh_database_has_every_claim_and_its_history(tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("needs pg_dump and pg_restore (PostgreSQL's client tools)")
    boss, worker = editor(), checker()
    claims = ClaimFactory.create_batch(5)
    for claim in claims[:3]:
        claim_transition(claim=claim, to_status="in_progress", user=worker, expected_version=1)
        evidence_add(claim=claim, url="https://example.org/report", note="Report", user=worker)
    claim = Claim.objects.get(pk=claims[0].pk)
    claim_transition(
        claim=claim, to_status="false", user=boss, note="No list.", expected_version=claim.version
    )
    source = database_url()
    before = rows(source)
    assert len(before["claims_claim"]) == 5 and len(before["claims_statuschange"]) == 4
    assert before["claims_claimchange"] and before["claims_evidence"]

    # The README's commands: a custom-format dump, a fresh database, a restore.
    dump = tmp_path / "tracker.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source], check=True)
    fresh = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    admin = source.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored_url = source.rsplit("/", 1)[0] + "/" + fresh
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_url, str(dump)],
            check=True,
        )
        assert rows(restored_url) == before
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
