"""Real Celery workers for the integration tests: separate processes on the test
database (PostgreSQL) and a Redis broker, started and always stopped by fixtures.

The worker runs with a short visibility timeout and short task time limits so
that a killed worker's task comes back within seconds, not minutes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
BROKER = os.environ.get("CELERY_BROKER_URL", "")
VISIBILITY_TIMEOUT = 20  # seconds; longer than the hard time limit, as in production
SOFT_TIME_LIMIT, HARD_TIME_LIMIT = 10, 15
# kombu sweeps for unacknowledged messages every 10 s (unacked_restore_interval).
RESTORE_SWEEP = 10


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval=0.2):
    """Poll until ``predicate()`` is truthy; its value, or a failure naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def database_url() -> str:
    """The URL of the test database pytest-django created (test_<name>)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9 of the whole worker: main process and its pool children."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """start_worker(broker=..., database=..., **env) starts a real `celery -A tracker
    worker` (by default on the test database; ``env``: more environment, over the
    defaults) and waits until it is ready; every worker is stopped afterwards."""
    workers: list[Worker] = []

    def start(broker: str = BROKER, database: str | None = None, **extra: str) -> Worker:
        env = {
            **os.environ,
            "DJANGO_ENV": "test",
            "DATABASE_URL": database or database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": broker,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_TIME_LIMIT),
            "CELERY_TASK_TIME_LIMIT": str(HARD_TIME_LIMIT),
            **extra,
        }
        log = tmp_path / f"worker{len(workers)}.log"
        name = f"test{len(workers)}-{uuid.uuid4().hex[:6]}@%h"
        command = [CELERY, "-A", "tracker", "worker", "--loglevel=INFO", "--concurrency=1"]
        command += ["-P", "prefork", "-n", name, "--without-mingle", "--without-gossip"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the children
            )
        worker = Worker(process, log)
        workers.append(worker)

        def ready():
            if process.poll() is not None:
                pytest.fail(f"the worker exited ({process.returncode}):\n{worker.output()}")
            return " ready." in worker.output()

        wait_for(ready, 60, "the worker to be ready", interval=0.3)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def worker(start_worker):
    return start_worker()


@pytest.fixture
def broker():
    """The test process publishes to the real broker, from an empty Redis database,
    and is pointed back at it after tests that pointed it elsewhere."""
    redis.Redis.from_url(BROKER).flushdb()
    yield BROKER
    publish_to(BROKER)


def publish_to(url: str) -> None:
    """Point this process's Celery app at another broker (and result backend)."""
    from tracker.celery import app

    # Pools are dropped, not closed: kombu keeps one per URL and hands it out again.
    # The Django settings put both CELERY_BROKER_URL and broker_write_url in the
    # config; connections for publishing are made from broker_write_url.
    app.conf.update(
        CELERY_BROKER_URL=url,
        broker_url=url,
        broker_write_url=url,
        broker_read_url=url,
        CELERY_RESULT_BACKEND=url,
        result_backend=url,
    )
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
