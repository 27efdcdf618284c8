"""Service test helpers: the seed article, ingest with its on-commit work run,
and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from claims import services
from claims.services import article_ingest
from tests.local_http import QuietHandler, serving

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_42d87ab533acdf14.txt"

SHORT = (
    "Dam inspection disputed\n\n"
    "RIVERTON - The county engineer, Ana Ruiz, said on Monday that the dam had passed "
    "its last inspection. Residents said as many as 40 homes had flooded.\n"
)

# An article as a newsroom's CMS exports it to Markdown: a heading, a byline, the
# publication in italics, the date, paragraphs with emphasis, a link and a list.
MARKDOWN_ARTICLE = """# Hospital wait times rise for a third year

By **Ana Ruiz**
*Northern Herald*
March 4, 2024

LEEDS - The health board said on Monday that [average waits](https://example.org/report)
in emergency departments rose to 14 hours, up from 11 hours in 2022.

Its figures show that:

- 3,200 patients waited more than 12 hours in January;
- 18 of the 24 hospitals missed the *four-hour* target.

The health minister, Tom Lee, said that **300 new beds** would open by May.
"""
MARKDOWN_TITLE = "Hospital wait times rise for a third year"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """article_ingest with the on-commit enqueue run, as outside a test transaction."""

    def run(**kwargs) -> services.IngestResult:
        with django_capture_on_commit_callbacks(execute=True):
            return article_ingest(**kwargs)

    return run


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on-commit callbacks (the eager pipeline) at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering
    headers: dict[str, str] = field(default_factory=dict)  # more headers (Location)


@dataclass
class LocalServer:
    base: str
    pages: dict[str, Page] = field(default_factory=dict)
    released: threading.Event = field(default_factory=threading.Event)
    hits: list[str] = field(default_factory=list)  # every path asked for

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def local_http():
    """A threaded http.server serving ``server.pages[path]``; unknown paths are 404.
    A page with a delay holds its answer until the delay passes or the test ends."""
    server_state: LocalServer

    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            server_state.hits.append(self.path)
            page = server_state.pages.get(self.path, Page(b"not found", 404, "text/plain"))
            if page.delay:
                server_state.released.wait(page.delay)
            try:
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout or a size limit): expected

    with serving(Handler) as base:
        server_state = LocalServer(base=base)
        yield server_state
        server_state.released.set()
