"""DATABASE_POOL_SIZE: Django's psycopg pool, installed from the lock, serves
queries (the README's deployment section offers it instead of pgbouncer)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "from django.db import connection;"
    "connection.ensure_connection();"
    "pool = connection.pool;"
    "print(type(pool).__name__, pool.max_size);"
    "print(connection.cursor().execute('SELECT 41 + 1').fetchone()[0])"
)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_pool_of_n_connections_serves_queries():
    from django.db import connection

    s = connection.settings_dict  # the test database: it exists
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_POOL_SIZE": "3"}
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ConnectionPool", "3", "42"]


def test_a_pool_needs_postgres(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_POOL_SIZE="2", TRACKER_VAR_DIR=str(tmp_path))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/x.sqlite3"
    out = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode != 0
    assert "DATABASE_POOL_SIZE needs a postgres:// DATABASE_URL" in out.stderr
