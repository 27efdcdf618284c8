"""Services of our own for the fault tests: a redis-server and a PostgreSQL cluster
on free ports, which the tests stop, freeze and restart. The machine's shared Redis
(6379) and PostgreSQL (5432) are never touched.

The Celery worker fixtures (start_worker, broker) are the integration tests'."""

from __future__ import annotations

import contextlib
import getpass
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
import redis

from tests.integration.conftest import (  # noqa: F401 (fixtures used by the fault tests)
    ROOT,
    broker,
    free_port,
    start_worker,
    wait_for,
)


class RedisServer:
    """redis-server on a fixed free port, started again on the same port after a stop."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def up(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.up, 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)  # a stopped process would ignore SIGTERM
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server on PATH for a private Redis")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb) in a temp dir, on a free port, with
    trust auth on 127.0.0.1 and its socket in its own dir. Run as the postgres
    user when we are root (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tracker-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.user = "postgres" if self.as_user else getpass.getuser()

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [*self.as_user, _pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        subprocess.run([*command, "-o", options, "-w", "-t", "60", *args], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def init(self) -> None:
        subprocess.run(
            [*self.as_user, _pg_bin("initdb"), "-D", str(self.data), "-U", self.user,
             "-A", "trust", "-E", "UTF8", "--no-sync"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        """Fast shutdown: every open connection (a worker's too) is cut."""
        self._ctl("-m", "fast", "stop")

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres():
    if not _pg_bin("initdb") or not _pg_bin("pg_ctl"):
        pytest.skip("needs PostgreSQL's initdb and pg_ctl for a private cluster")
    cluster = PostgresCluster()
    cluster.init()
    try:
        yield cluster
    finally:
        cluster.destroy()


def manage(*args: str, database: str, broker_url: str, timeout: float = 180) -> str:
    """Run `manage.py ARGS` in its own process on the given database and broker."""
    env = {**os.environ, "DJANGO_ENV": "test", "DATABASE_URL": database,
           "CELERY_BROKER_URL": broker_url, "CELERY_RESULT_BACKEND": broker_url}  # fmt: skip
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout
