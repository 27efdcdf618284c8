"""The README's API commands over real HTTP, against a real ``manage.py runserver``
(wsgiref, what scripts/run serves) and a real gunicorn: no answer is a 5xx.

The test client never goes through a WSGI server, so it cannot see what a server
refuses: wsgiref answered 500 to ``POST /api/v1/articles/`` because DRF's
``Hyperlink`` (a str subclass) was the Location header. Here the README's curl
lines run as written (only the port changes), on a fresh SQLite database in a
temporary directory, set up as scripts/run does: migrate, load_seeds, demo users,
and a token from create_api_token.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.slow


def readme_curls() -> list[str]:
    """Every curl command of the README's sh blocks, continuation lines joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.DOTALL):
        for command in block.replace("\\\n", " ").splitlines():
            if command.startswith("curl "):
                commands.append(command)
    assert len(commands) >= 4, commands
    return commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A fresh embedded install in a temporary directory: its environment and a token."""
    var = tmp_path_factory.mktemp("site")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith("PYTEST")
    }
    env.update(DJANGO_ENV="development", TRACKER_VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    env.pop("DEMO_PASSWORD", None)

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput")
    manage("load_seeds")
    manage("create_demo_users")
    token = manage("create_api_token", "editor").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", token), token
    return env, var, token


def start(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"{command[0]} did not listen: {log.read_text()}")


def run_curl(command: str, port: int, token: str, cwd: Path) -> int:
    command = command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    done = subprocess.run(
        ["bash", "-c", command + " -s -S -w '\\nHTTP_STATUS=%{http_code}\\n'"],
        cwd=cwd,
        env={**os.environ, "TOKEN": token},
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.search(r"HTTP_STATUS=(\d{3})", done.stdout)
    assert found, (command, done.stdout, done.stderr)
    return int(found.group(1))


def request(port: int, token: str, method: str, path: str, body=None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Authorization", f"Token {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=180) as response:  # noqa: S310 (our server)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


EXTRA = [
    ("GET", "/api/v1/articles/", None),
    ("GET", "/api/v1/articles/1/", None),
    ("POST", "/api/v1/articles/", {"text": "Dam inspection disputed\n\nThe engineer said so."}),
    ("POST", "/api/v1/articles/", {"url": "http://example.org:70000/story"}),
    ("POST", "/api/v1/articles/1/reanalyze/", None),
    ("GET", "/api/v1/tokens/", None),
    ("POST", "/api/v1/tokens/", {"expiry_days": 1}),
    ("GET", "/api/v1/claims/1/", None),
    ("GET", "/api/v1/claims/1/history/", None),
    ("GET", "/api/schema/", None),
    ("GET", "/api/docs/", None),
    ("GET", "/api/v1/nowhere/", None),
]

SERVERS = {
    "runserver": lambda port: [
        sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"
    ],
    "gunicorn": lambda port: [
        str(VENV_BIN / "gunicorn"), "tracker.wsgi", "-b", f"127.0.0.1:{port}",
        "--workers", "2", "--timeout", "180",
    ],
}  # fmt: skip


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
@pytest.mark.parametrize("server", sorted(SERVERS))
def test_readme_commands_over_http_never_answer_5xx(site, server, tmp_path):
    env, _, token = site
    port = free_port()
    process = start(SERVERS[server](port), env, port, tmp_path / f"{server}.log")
    try:
        statuses = [(c, run_curl(c, port, token, tmp_path)) for c in readme_curls()]
        statuses += [(f"{m} {p}", request(port, token, m, p, b)) for m, p, b in EXTRA]
    finally:
        process.terminate()
        process.wait(timeout=20)
    failed = [(what, code) for what, code in statuses if code >= 500]
    print(f"{server}: {len(statuses)} requests, {len(failed)} answered 5xx")
    assert not failed, failed
    codes = dict(statuses)
    posted = [c for what, c in statuses if "/api/v1/articles/" in what and "POST" in what]
    assert 202 in codes.values() and posted, statuses
    assert (tmp_path / "claims.csv").read_text().startswith("id,"), "the CSV was written"
