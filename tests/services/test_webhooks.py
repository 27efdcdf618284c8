"""Webhooks against a real local receiver (http.server on a free port): signed
deliveries checked with the README's own verify function, retries after a 500,
giving up after N tries with the failure visible, private addresses refused, the
events of the real pipeline and workflow, and payloads limited by the owner's role."""

from __future__ import annotations

import json
import re
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DataError, connection
from django.test.utils import CaptureQueriesContext

from claims import services, tasks
from claims.ingest import PRIVATE
from claims.models import (
    ClaimMatch,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.services import webhook_delivery, webhooks
from tests.factories import ArticleFactory, ClaimFactory, checker, editor
from tests.local_http import QuietHandler, serving
from tests.services.conftest import SHORT

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify():
    """The receiver's check exactly as the README prints it (its first python block
    after the "Webhooks" heading), so the documented scheme is the tested one."""
    text = README.read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    scope: dict = {}
    exec(compile(code, "README.md (Webhooks)", "exec"), scope)  # noqa: S102
    return scope["verify"]


verify = readme_verify()


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # statuses to give, in turn; then 200
    got: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver():
    """A real HTTP server that records every POST and answers the scripted statuses."""
    state: Receiver
    lock = threading.Lock()

    class Handler(QuietHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.got.append(Received(dict(self.headers.items()), body))
                status = state.answers.pop(0) if state.answers else 200
            reply = b'{"ok": %d}' % status + b"x" * 5000  # longer than the 2 KB kept
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    with serving(Handler) as base:
        state = Receiver(url=f"{base}/hooks")
        yield state


@pytest.fixture(autouse=True)
def local_webhooks(settings):
    """A local receiver over http, and retries without waiting."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_BACKOFF_BASE = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 3


def endpoint_for(url: str, *events: str, owner=None) -> WebhookEndpoint:
    return services.webhook_endpoint_create(
        url=url, events=list(events), owner=owner or editor(), description="CMS"
    )


def start(claim, user, committed):
    """A fact-checker starts the claim, with the after-commit work run."""
    with committed():
        services.claim_transition(
            claim=claim, to_status="in_progress", user=user, expected_version=claim.version
        )


# --- Signature and headers -------------------------------------------------------------


def test_a_status_change_is_delivered_signed(receiver, committed):
    endpoint = endpoint_for(receiver.url, "claim.status_changed")
    claim = ClaimFactory()
    start(claim, checker(), committed)

    [got] = receiver.got
    assert verify(endpoint.secret, got.headers, got.body)
    assert not verify("another secret", got.headers, got.body)
    assert not verify(endpoint.secret, got.headers, got.body + b" ")  # body changed
    stale = {**got.headers, "Webhook-Timestamp": str(int(time.time()) - 301)}
    assert not verify(endpoint.secret, stale, got.body)  # older than 5 minutes
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Webhook-Event"] == "claim.status_changed"

    payload = got.json
    assert payload["event"] == "claim.status_changed"
    assert payload["id"] == got.headers["Webhook-Id"]
    assert payload["data"]["claim"]["id"] == claim.pk
    assert payload["data"]["claim"]["status"] == "in_progress"
    assert payload["data"]["change"]["from"] == "unstarted"
    assert payload["data"]["change"]["by"] == "checker"

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 1
    assert str(delivery.event_id) == payload["id"]
    assert delivery.response_status == 200
    assert len(delivery.response_excerpt) == webhook_delivery.EXCERPT_MAX  # capped at 2 KB


def test_the_delivery_task_is_the_one_the_service_names_on_the_light_queue(settings):
    assert tasks.webhook_deliver.name == webhook_delivery.DELIVER_TASK
    assert webhook_delivery.DELIVER_TASK not in settings.CELERY_TASK_ROUTES
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"


# --- Retries, giving up, resend --------------------------------------------------------


def test_after_a_500_the_delivery_is_tried_again_and_succeeds(receiver, committed):
    endpoint_for(receiver.url, "claim.status_changed")
    receiver.answers = [500]
    start(ClaimFactory(), checker(), committed)

    first, second = receiver.got
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 2
    tries = list(delivery.tries.values_list("number", "status", "error"))
    assert tries == [(1, 500, "HTTP 500"), (2, 200, "")]


def test_after_n_failures_it_gives_up_visibly_and_a_resend_tries_again(receiver, committed):
    endpoint = endpoint_for(receiver.url, "claim.status_changed")
    receiver.answers = [503, 503, 503]
    start(ClaimFactory(), checker(), committed)

    assert len(receiver.got) == 3  # WEBHOOK_MAX_ATTEMPTS
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 3 and delivery.error == "HTTP 503"
    assert delivery.response_status == 503 and delivery.next_attempt_at is None
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.last_error == "HTTP 503"

    with committed():
        services.webhook_delivery_resend(delivery=delivery, user=endpoint.owner)
    assert len(receiver.got) == 4
    assert receiver.got[-1].headers["Webhook-Id"] == str(delivery.event_id)  # same event
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 4
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.last_error == ""


def test_turning_an_endpoint_off_does_not_show_it_as_failing(receiver):
    # A delivery still due when an editor turned the endpoint off is given up at
    # its next try ("The endpoint is turned off."); the endpoint was then shown as
    # failing since that moment, and still so once turned on again, until a
    # delivery succeeded: nothing had failed, an editor had switched it off.
    endpoint = endpoint_for(receiver.url, "claim.status_changed")
    claim = ClaimFactory()
    services.claim_transition(  # recorded; its publish (on commit) never runs here
        claim=claim, to_status="in_progress", user=checker(), expected_version=claim.version
    )
    delivery = WebhookDelivery.objects.get()
    services.webhook_endpoint_update(endpoint=endpoint, user=endpoint.owner, active=False)
    assert webhook_delivery.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.error == "The endpoint is turned off." and receiver.got == []
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.last_error == ""


@pytest.mark.parametrize("status", [410, 302])  # a redirect is not followed either
def test_a_4xx_or_a_redirect_is_not_tried_again(receiver, committed, status):
    endpoint_for(receiver.url, "claim.status_changed")
    receiver.answers = [status]
    start(ClaimFactory(), checker(), committed)
    assert len(receiver.got) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.error == f"HTTP {status}"


def test_a_receiver_that_is_down_is_a_network_error_tried_again(receiver, committed, settings):
    # A port nobody listens on: the connection is refused each time.
    endpoint_for(receiver.url, "claim.status_changed")
    WebhookEndpoint.objects.update(url="http://127.0.0.1:9/hooks")
    start(ClaimFactory(), checker(), committed)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 3
    assert delivery.response_status is None
    assert delivery.error == "Could not connect to the endpoint (connection refused)."
    assert list(delivery.tries.values_list("error", flat=True)) == [delivery.error] * 3


def test_the_endpoint_shows_its_latest_error(receiver, committed, settings):
    endpoint = endpoint_for(receiver.url, "claim.status_changed")
    receiver.answers = [503, 503, 503]
    start(ClaimFactory(), checker(), committed)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.last_error == "HTTP 503"
    since = endpoint.failing_since
    # Then the receiver goes down: the next delivery's first try (to be retried)
    # is the endpoint's latest error, and it has been failing since the first.
    WebhookEndpoint.objects.update(url="http://127.0.0.1:9/hooks")
    settings.WEBHOOK_BACKOFF_BASE = 3600  # the retry waits: the delivery is still retrying
    start(ClaimFactory(), checker(), committed)
    latest = WebhookDelivery.objects.latest("id")
    assert latest.state == DeliveryState.RETRYING and latest.attempts == 1
    endpoint.refresh_from_db()
    assert endpoint.last_error == "Could not connect to the endpoint (connection refused)."
    assert endpoint.failing_since == since


def test_a_tls_certificate_that_is_not_trusted_is_said_in_words(committed, tmp_path):
    """A receiver on https with a self-signed certificate (made here by openssl)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint_for(f"https://127.0.0.1:{httpd.server_address[1]}/hooks", "claim.status_changed")
        start(ClaimFactory(), checker(), committed)
    finally:
        httpd.shutdown()
        httpd.server_close()
    delivery = WebhookDelivery.objects.get()
    assert delivery.error.startswith("The TLS certificate of the endpoint was refused: ")
    assert "self-signed" in delivery.error or "self signed" in delivery.error


def test_a_retry_is_sent_by_the_sweep_when_it_is_due(receiver, committed, settings):
    settings.WEBHOOK_BACKOFF_BASE = 3600  # longer than the broker may hold a task
    endpoint_for(receiver.url, "claim.status_changed")
    receiver.answers = [502]
    start(ClaimFactory(), checker(), committed)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.RETRYING and len(receiver.got) == 1
    assert tasks.webhooks_sweep_task() == 0  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=delivery.created_at)
    assert tasks.webhooks_sweep_task() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED and len(receiver.got) == 2


def test_a_task_delivered_twice_posts_once(receiver, committed):
    endpoint_for(receiver.url, "claim.status_changed")
    start(ClaimFactory(), checker(), committed)
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.got) == 1 and WebhookAttempt.objects.count() == 1


def test_a_reply_with_a_nul_is_logged_without_it_and_the_delivery_succeeds(committed):
    # PostgreSQL's text refuses NUL: the try was not logged, the delivery stayed
    # leased, and the sweep posted the event again past WEBHOOK_MAX_ATTEMPTS.
    class Handler(QuietHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            reply = b"accepted\x00thanks"
            self.send_response(200)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    with serving(Handler) as base:
        endpoint_for(f"{base}/hooks", "claim.status_changed")
        start(ClaimFactory(), checker(), committed)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 1
    assert delivery.response_excerpt == "acceptedthanks"
    assert list(delivery.tries.values_list("status", "response_excerpt")) == [
        (200, "acceptedthanks")
    ]


def test_a_try_that_cannot_be_logged_is_settled_all_the_same(receiver, committed, monkeypatch):
    def refuse(**fields):
        raise DataError("the database refused the try")

    monkeypatch.setattr(WebhookAttempt.objects, "create", refuse)
    endpoint_for(receiver.url, "claim.status_changed")
    start(ClaimFactory(), checker(), committed)
    assert len(receiver.got) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.next_attempt_at is None
    assert delivery.response_status == 200 and delivery.response_excerpt == ""
    assert tasks.webhooks_sweep_task() == 0


def test_the_sweep_never_sends_a_delivery_past_its_attempts(receiver, committed, settings):
    # The last of WEBHOOK_MAX_ATTEMPTS (3) tries claimed but never settled (a worker
    # killed after the POST): its lease runs out with no attempt left.
    settings.WEBHOOK_BACKOFF_BASE = 3600
    endpoint = endpoint_for(receiver.url, "claim.status_changed")
    receiver.answers = [502]
    start(ClaimFactory(), checker(), committed)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.update(attempts=3, next_attempt_at=delivery.created_at)

    assert webhook_delivery.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert tasks.webhooks_sweep_task() == 0
    assert len(receiver.got) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.next_attempt_at is None
    assert delivery.attempts == 3 and delivery.error == webhook_delivery.UNSETTLED
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    assert endpoint.last_error == webhook_delivery.UNSETTLED


# --- Private addresses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "10.1.2.3",
        "169.254.1.1",
        "192.0.0.8",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "[::7f00:1]",
    ],
)
def test_a_private_address_is_refused_at_registration(settings, host):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(webhooks.WebhookError, match="private or local address") as caught:
        endpoint_for(f"http://{host}:8080/hooks", "claim.verdict")
    assert caught.value.field == "url"
    assert not WebhookEndpoint.objects.exists()


def test_https_is_required_unless_http_is_allowed(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(webhooks.WebhookError, match="https"):
        endpoint_for("http://example.com/hooks", "claim.verdict")


def test_an_address_that_became_private_is_refused_at_delivery(receiver, committed, settings):
    # Registered while allowed, under a name; then the rule applies (as when a
    # public name starts resolving to 127.0.0.1): checked again at the try.
    port = receiver.url.split(":")[2].split("/")[0]
    endpoint_for(f"http://localhost:{port}/hooks", "claim.status_changed")
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    start(ClaimFactory(), checker(), committed)
    assert receiver.got == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1  # not retried
    assert delivery.error == PRIVATE


# --- Events from the services ----------------------------------------------------------


def test_an_analysed_article_is_announced_by_the_real_pipeline(receiver, ingest):
    endpoint_for(receiver.url, "article.analysed", "article.failed")
    article = ingest(text=SHORT).article  # embedded mode: the analysis runs in-process
    article.refresh_from_db()
    assert article.state == "analyzed"

    [got] = receiver.got
    assert got.json["event"] == "article.analysed"
    data = got.json["data"]["article"]
    assert data["id"] == article.pk and data["state"] == "analyzed"
    assert data["title"] == "Dam inspection disputed"
    assert data["claims"] == article.claims.count() > 0
    assert "RIVERTON" not in got.body.decode()  # never the article's text
    assert "analysis_data" not in data and "text" not in data


def test_a_failed_analysis_is_announced(receiver, committed):
    endpoint_for(receiver.url, "article.failed")
    article = ArticleFactory(state="running", run_id="r1")
    with committed():
        services.analysis_fail(article_id=article.pk, run_id="r1", error="ValueError: boom")
    [got] = receiver.got
    assert got.json["event"] == "article.failed"
    assert got.json["data"]["article"]["error"] == "ValueError: boom"


def test_a_verdict_is_a_status_change_and_a_verdict(receiver, committed):
    endpoint_for(receiver.url, "claim.status_changed", "claim.verdict")
    boss = editor(username="boss")
    claim = ClaimFactory(status="in_progress")
    with committed():
        services.claim_transition(
            claim=claim, to_status="false", user=boss, note="Records say 4.", expected_version=1
        )
    events = sorted(r.json["event"] for r in receiver.got)
    assert events == ["claim.status_changed", "claim.verdict"]
    verdict = next(r.json for r in receiver.got if r.json["event"] == "claim.verdict")
    assert verdict["data"]["claim"]["verdict"] == "false"
    assert verdict["data"]["change"]["note"] == "Records say 4."
    assert len({r.headers["Webhook-Id"] for r in receiver.got}) == 2


def test_a_bulk_action_and_its_undo_announce_each_status_change(receiver, committed):
    endpoint_for(receiver.url, "claim.status_changed")
    boss = editor(username="boss")
    claims = [ClaimFactory(), ClaimFactory()]
    with committed():
        result = services.claims_bulk_transition(claims=claims, to_status="in_progress", user=boss)
    with committed():
        services.bulk_action_undo(bulk_action=result.action, user=boss)
    changes = [
        (r.json["data"]["claim"]["id"], r.json["data"]["change"]["to"]) for r in receiver.got
    ]
    ids = [c.pk for c in claims]
    assert sorted(changes) == sorted(
        [
            (ids[0], "in_progress"),
            (ids[1], "in_progress"),
            (ids[0], "unstarted"),
            (ids[1], "unstarted"),
        ]
    )


def test_only_subscribed_and_active_endpoints_get_an_event(receiver, committed):
    endpoint_for(receiver.url, "claim.verdict")  # not status_changed
    off = endpoint_for(receiver.url, "claim.status_changed", owner=editor(username="e2"))
    services.webhook_endpoint_update(endpoint=off, user=off.owner, active=False)
    start(ClaimFactory(), checker(), committed)
    assert receiver.got == [] and not WebhookDelivery.objects.exists()


def test_matches_are_announced(receiver, committed):
    endpoint_for(receiver.url, "claim.matched")
    text = "The bridge will reopen in May after the repairs, the mayor said."
    old = ClaimFactory(text=text)
    new = ClaimFactory(text=text)
    with committed():
        found = services.claim_matches_find(claim_ids=[new.pk])
    assert found
    [suggested] = receiver.got
    assert suggested.json["data"]["match"]["state"] == "suggested"
    assert suggested.json["data"]["matched_claim"]["id"] == old.pk

    match = ClaimMatch.objects.get(claim=new)
    with committed():
        services.claim_match_confirm(match=match, user=editor(username="boss"))
    assert receiver.got[-1].json["data"]["match"]["state"] == "confirmed"


# --- Payloads by the owner's role ------------------------------------------------------


def restricted(user, *codenames: str):
    """Move ``user`` into a role that may read only ``codenames``."""
    group = Group.objects.create(name="Desk intern")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
    )
    user.groups.set([group])
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def test_a_payload_holds_only_what_the_owners_role_may_read(receiver, committed):
    full = endpoint_for(receiver.url + "/full", "claim.status_changed", "article.analysed")
    owner = editor(username="limited")
    limited = endpoint_for(receiver.url + "/limited", "claim.status_changed", owner=owner)
    restricted(owner, "view_claim")  # no articles, no history
    start(ClaimFactory(), checker(), committed)

    by_endpoint = {d.endpoint_id: d.payload["data"] for d in WebhookDelivery.objects.all()}
    assert "change" in by_endpoint[full.pk] and "article_title" in by_endpoint[full.pk]["claim"]
    assert "change" not in by_endpoint[limited.pk]
    assert "article_title" not in by_endpoint[limited.pk]["claim"]
    assert by_endpoint[limited.pk]["claim"]["status"] == "in_progress"
    assert len(receiver.got) == 2


def test_an_owner_who_may_not_read_claims_gets_no_claim_events(receiver, committed):
    owner = editor(username="gone")
    endpoint_for(receiver.url, "claim.status_changed", owner=owner)
    restricted(owner, "view_article")
    start(ClaimFactory(), checker(), committed)
    assert receiver.got == [] and not WebhookDelivery.objects.exists()


def test_an_inactive_owner_gets_nothing(receiver, committed):
    endpoint = endpoint_for(receiver.url, "claim.status_changed")
    endpoint.owner.is_active = False
    endpoint.owner.save()
    start(ClaimFactory(), checker(), committed)
    assert receiver.got == []


def test_only_editors_register_and_only_the_owner_sees_the_secret(receiver):
    with pytest.raises(webhooks.WebhookNotPermitted):
        endpoint_for(receiver.url, "claim.verdict", owner=checker())
    endpoint = endpoint_for(receiver.url, "claim.verdict")
    assert services.webhook_secret_for(endpoint=endpoint, user=endpoint.owner) == endpoint.secret
    with pytest.raises(webhooks.WebhookNotPermitted):
        services.webhook_secret_for(endpoint=endpoint, user=editor(username="other"))


# --- Emission is cheap and harmless ----------------------------------------------------


def test_with_no_endpoint_an_event_costs_no_query(committed):
    claim = ClaimFactory()
    assert webhooks.webhooks_emit(event="claim.verdict", obj=claim) == 0  # fills the flag
    with CaptureQueriesContext(connection) as queries:
        assert webhooks.webhooks_emit(event="claim.verdict", obj=claim) == 0
    assert len(queries) == 0


def test_an_error_while_recording_never_breaks_the_change(receiver, committed, monkeypatch):
    endpoint_for(receiver.url, "claim.status_changed")

    def broken(*args):
        raise RuntimeError("a bug in a payload builder")

    monkeypatch.setattr(webhooks, "_data", broken)
    claim = ClaimFactory()
    start(claim, checker(), committed)
    claim.refresh_from_db()
    assert claim.status == "in_progress" and claim.status_changes.count() == 1
    assert not WebhookDelivery.objects.exists() and receiver.got == []


def test_recording_costs_the_same_for_more_endpoints_of_one_owner(receiver):
    owner = editor()
    claim = ClaimFactory()

    def queries_for_one_event() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert webhooks.webhooks_emit(event="claim.verdict", obj=claim) >= 1
        return len(queries)

    endpoint_for(receiver.url, "claim.verdict", owner=owner)
    one = queries_for_one_event()
    for n in range(4):  # one owner's endpoints are at different URLs (one per URL)
        endpoint_for(f"{receiver.url}?copy={n}", "claim.verdict", owner=owner)
    assert queries_for_one_event() == one  # one document per owner's permissions, one insert
