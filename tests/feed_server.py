"""A real HTTP server on 127.0.0.1 (port 0) for the feed tests: it serves the RSS
and Atom files of tests/fixtures/feeds/ and the article pages they link to, with
ETag and Last-Modified, answers conditional GETs with 304, records the headers
it was sent, and can be switched to answer 500 or garbage."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest

from tests.local_http import QuietHandler, serving

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
GARBAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00 }{ <<< not a feed"


@dataclass
class Request:
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int


@dataclass
class FeedServer:
    base: str
    # path -> (body, content type, Last-Modified as a datetime)
    documents: dict[str, tuple[bytes, str, object]] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # path -> "500" or "garbage"
    requests: list[Request] = field(default_factory=list)
    # path -> a gate: the first request for it waits (up to 30 s) until it is opened.
    held: dict[str, threading.Event] = field(default_factory=dict)
    arrived: threading.Event = field(default_factory=threading.Event)  # a held one came
    in_flight: dict[str, int] = field(default_factory=dict)  # being answered now
    most_in_flight: dict[str, int] = field(default_factory=dict)  # at once, ever
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hold(self, path: str) -> threading.Event:
        """Hold the next request for ``path`` until the returned event is set."""
        gate = self.held[path] = threading.Event()
        return gate

    def url(self, path: str) -> str:
        return self.base + path

    def serve_fixture(self, path: str, name: str, modified, extra_items: str = "") -> None:
        """Serve tests/fixtures/feeds/<name> at ``path``, its links pointing here;
        ``extra_items`` (XML) is put before the first item or entry."""
        text = (FIXTURES / name).read_text(encoding="utf-8").replace("__BASE__", self.base)
        if extra_items:
            marker = "<item>" if name.endswith(".rss") else "<entry>"
            head, _, tail = text.partition(marker)
            text = head + extra_items + marker + tail
        kind = "application/rss+xml" if name.endswith(".rss") else "application/atom+xml"
        self.documents[path] = (text.encode("utf-8"), f"{kind}; charset=utf-8", modified)

    def serve_text(self, path: str, text: str, content_type: str = "text/plain") -> None:
        self.documents[path] = (text.encode("utf-8"), f"{content_type}; charset=utf-8", None)

    def seen(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@pytest.fixture
def feed_server():
    state: FeedServer

    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            with state.lock:
                now = state.in_flight[self.path] = state.in_flight.get(self.path, 0) + 1
                most = max(now, state.most_in_flight.get(self.path, 0))
                state.most_in_flight[self.path] = most
                gate = state.held.pop(self.path, None)
            try:
                if gate is not None:
                    state.arrived.set()
                    gate.wait(30)
                self._reply()
            finally:
                with state.lock:
                    state.in_flight[self.path] -= 1

        def _reply(self):
            status, headers, body = self._answer()
            state.requests.append(
                Request(
                    self.path,
                    self.headers.get("If-None-Match"),
                    self.headers.get("If-Modified-Since"),
                    status,
                )
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _answer(self):
            mode = state.broken.get(self.path)
            if mode == "500":
                return 500, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"
            if mode == "garbage":
                return 200, {"Content-Type": "application/rss+xml"}, GARBAGE
            if self.path not in state.documents:
                return 404, {"Content-Type": "text/plain"}, b"not found"
            body, content_type, modified = state.documents[self.path]
            headers = {"Content-Type": content_type, "ETag": etag_of(body)}
            if modified is not None:
                headers["Last-Modified"] = format_datetime(modified, usegmt=True)
            if self._unchanged(body, modified):
                return 304, {k: v for k, v in headers.items() if k != "Content-Type"}, b""
            return 200, headers, body

        def _unchanged(self, body: bytes, modified) -> bool:
            # RFC 9110: If-None-Match decides when present; else If-Modified-Since.
            tag = self.headers.get("If-None-Match")
            if tag is not None:
                return tag == etag_of(body)
            since = self.headers.get("If-Modified-Since")
            if since and modified is not None:
                return parsedate_to_datetime(since) >= modified.replace(microsecond=0)
            return False

    with serving(Handler) as base:
        state = FeedServer(base=base)
        yield state
