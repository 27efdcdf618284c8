"""URL ingest cannot be turned inward, and never holds anything for long: the
address that was checked is the one connected to (DNS rebinding), every redirect
is checked again, one deadline covers the whole fetch, and a failed fetch can be
run again. Real HTTP servers on 127.0.0.1; the only stub is the resolver."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claims import ingest as ingest_module
from claims.models import AnalysisState, Article
from claims.services import article_reanalyze, articles_requeue_stale
from tests.services.conftest import SHORT, Page

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"  # a global address; nothing here needs to answer on it


@pytest.fixture
def resolver(monkeypatch):
    """A resolver stub: ``answers[name]`` is a list of answers, one per lookup
    (the last one repeats), each a list of addresses. Other names resolve as usual."""
    real = socket.getaddrinfo
    answers: dict[str, list[list[str]]] = {}
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, asked


@pytest.fixture
def local_is_public(monkeypatch):
    """The test server on 127.0.0.1 stands in for a public web server: that one
    address passes the check; every other private address is still refused."""
    real = ingest_module._check_address

    def check(address):
        if str(address) != "127.0.0.1":
            real(address)

    monkeypatch.setattr(ingest_module, "_check_address", check)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),
        ("192.0.0.8", False),  # 192.0.0.0/24: public to Python 3.11.7 (CVE-2024-4032)
        ("192.0.0.9", False),  # its anycast addresses too
        ("192.88.99.1", False),  # the old 6to4 relay anycast
        ("198.18.0.1", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("fec0::1", False),  # site-local, deprecated
        ("ff02::1", False),
        ("2001:db8::1", False),
        ("3fff::1", False),  # documentation, since 2024
        ("5f00::1", False),  # SRv6
        ("100:0:0:1::1", False),  # the dummy prefix
        # An IPv6 address that carries an IPv4 one is as public as that one is.
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:93.184.215.14", True),
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::ffff:0:127.0.0.1", False),  # IPv4-translated (SIIT)
        ("64:ff9b::7f00:1", False),  # NAT64 to 127.0.0.1
        ("64:ff9b::a01:203", False),  # NAT64 to 10.1.2.3
        ("64:ff9b::5db8:d70e", True),  # NAT64 to 93.184.215.14
        ("64:ff9b:1::5db8:d70e", False),  # NAT64's local-use prefix
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:c000:8::1", False),  # 6to4 of 192.0.0.8
        ("2002:5db8:d70e::1", True),  # 6to4 of 93.184.215.14
        ("2001:0:5db8:d70e:0:ffff:80ff:fffe", False),  # Teredo to 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:a247:ff1", False),  # Teredo is never public
    ],
)
def test_an_address_is_public_only_when_what_it_reaches_is(address, public):
    assert ingest_module.public_address(ipaddress.ip_address(address)) is public


def test_a_name_that_resolves_to_192_0_0_8_is_not_fetched(ingest, settings, resolver):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    answers, asked = resolver
    answers["special.test"] = [["192.0.0.8"]]
    article = stored(ingest(url="http://special.test/story"))
    assert article.state == AnalysisState.FAILED and asked == ["special.test"]
    assert article.error == ingest_module.PRIVATE


def stored(result) -> Article:
    return Article.objects.get(pk=result.article.pk)


def test_dns_rebinding_public_then_loopback_is_refused(ingest, settings, local_http, resolver):
    """The check sees a public address, the connect would see loopback: the fetch
    connects to the checked address only, so the local server is never reached."""
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    settings.INGEST_URL_TIMEOUT = 2
    answers, asked = resolver
    answers["rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    local_http.pages["/story"] = Page(SHORT.encode(), content_type="text/plain")
    port = int(local_http.base.rsplit(":", 1)[1])
    article = stored(ingest(url=f"http://rebind.test:{port}/story"))
    assert article.state == AnalysisState.FAILED and article.raw_text == ""
    # Resolved once; the loopback answer was never asked for, nor reached.
    assert local_http.hits == [] and asked == ["rebind.test"]
    assert "127.0.0.1" not in article.error and PUBLIC not in article.error


def test_a_name_with_one_private_address_among_public_ones_is_refused(ingest, settings, resolver):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    answers, _ = resolver
    answers["mixed.test"] = [[PUBLIC, "10.0.0.7"]]
    article = stored(ingest(url="http://mixed.test/story"))
    assert article.state == AnalysisState.FAILED
    assert "private or local address" in article.error and "10.0.0.7" not in article.error


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "inner"])
def test_a_redirect_to_a_private_address_is_refused(
    ingest, settings, local_http, resolver, local_is_public, target
):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    answers, _ = resolver
    answers["metadata.test"] = [["10.1.2.3"]]
    location = "http://metadata.test/secret" if target == "inner" else target
    local_http.pages["/story"] = Page(b"", 302, "text/plain", headers={"Location": location})
    article = stored(ingest(url=local_http.url("/story")))
    assert article.state == AnalysisState.FAILED
    assert "redirected to a private or local address" in article.error
    assert "169.254" not in article.error and "10.1.2.3" not in article.error


def test_a_public_redirect_is_followed(ingest, settings, local_http, local_is_public):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    local_http.pages["/old"] = Page(b"", 301, "text/plain", headers={"Location": "/new.txt"})
    local_http.pages["/new.txt"] = Page(SHORT.encode(), content_type="text/plain")
    article = stored(ingest(url=local_http.url("/old")))
    assert article.state == AnalysisState.ANALYZED and article.raw_text == SHORT


@pytest.fixture
def drip_server():
    """A real HTTP server that sends 10 bytes every second, for ever: in the body
    (/body) or in the headers (/headers)."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            try:
                if self.path == "/headers":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    while not stop.wait(1):
                        self.wfile.write(b"X-Drip: 1\r\n")  # 11 bytes a second
                        self.wfile.flush()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                while not stop.wait(1):
                    self.wfile.write(b"0123456789")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format, *args):  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/body", "/headers"])
def test_a_slow_drip_is_cut_at_the_total_deadline(ingest, settings, drip_server, path):
    """10 bytes a second never trips a per-read timeout; the deadline cuts it."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    settings.INGEST_URL_TIMEOUT = 3
    started = time.monotonic()
    article = stored(ingest(url=drip_server + path))
    elapsed = time.monotonic() - started
    assert article.state == AnalysisState.FAILED
    assert "did not arrive within 3 s" in article.error
    assert 2.9 <= elapsed < 5, elapsed


def test_the_fetch_runs_off_the_request_and_a_failed_fetch_can_be_run_again(
    ingest, settings, local_http, committed
):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    result = ingest(url=local_http.url("/later.txt"))
    article = stored(result)
    assert article.state == AnalysisState.FAILED and "HTTP 404" in article.error
    local_http.pages["/later.txt"] = Page(SHORT.encode(), content_type="text/plain")
    with committed():
        article_reanalyze(article=article)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED and article.raw_text == SHORT
    assert article.title == "Dam inspection disputed" and article.claims.exists()


def test_the_same_text_at_another_url_fails_with_a_pointer_to_the_first(
    ingest, settings, local_http
):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/a.txt"] = Page(SHORT.encode(), content_type="text/plain")
    local_http.pages["/copy.txt"] = Page(SHORT.encode(), content_type="text/plain")
    first = stored(ingest(url=local_http.url("/a.txt")))
    second = stored(ingest(url=local_http.url("/copy.txt")))
    assert first.state == AnalysisState.ANALYZED
    assert second.state == AnalysisState.FAILED
    assert f"as article {first.pk}" in second.error


def test_the_same_page_again_is_the_same_article_and_a_changed_page_its_next_version(
    ingest, settings, local_http
):
    """Issue 15: a URL ingested again is fetched again; the same text makes nothing
    new, a changed text is version 2 of the same article."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/a.txt"] = Page(SHORT.encode(), content_type="text/plain")
    first = stored(ingest(url=local_http.url("/a.txt")))
    claims = sorted(first.claims.values_list("pk", "text"))
    again = ingest(url=local_http.url("/a.txt"))
    assert again.article.pk == first.pk and not again.created
    assert "already in the tracker" in again.message
    article = stored(again)
    assert (article.state, article.version, article.raw_text) == ("analyzed", 1, SHORT)
    assert sorted(article.claims.values_list("pk", "text")) == claims
    assert Article.objects.count() == 1

    changed = SHORT.replace("as many as 40", "as many as 45")
    local_http.pages["/a.txt"] = Page(changed.encode(), content_type="text/plain")
    article = stored(ingest(url=local_http.url("/a.txt")))
    assert (article.state, article.version, article.raw_text) == ("analyzed", 2, changed)
    assert Article.objects.count() == 1 and article.versions.count() == 2
    homes = article.claims.get(text__contains="homes")
    assert homes.version_change == "changed" and "40" in homes.previous_text
    assert len(local_http.hits) == 3


def test_a_fetch_the_broker_never_took_is_requeued(
    ingest, settings, local_http, monkeypatch, committed
):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/a.txt"] = Page(SHORT.encode(), content_type="text/plain")
    monkeypatch.setattr("claims.tasks.start_fetch", lambda article_id, run_id: False)
    result = ingest(url=local_http.url("/a.txt"))
    assert stored(result).state == AnalysisState.FETCHING
    monkeypatch.undo()
    with committed():
        requeued = articles_requeue_stale(older_than=timedelta(0))
    assert requeued == [result.article.pk]
    assert stored(result).state == AnalysisState.ANALYZED
