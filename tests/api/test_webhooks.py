"""/api/v1/webhooks/: editors manage endpoints (the secret once, then for the owner),
read the delivery log and resend; other roles are refused; bad URLs are 400s."""

from __future__ import annotations

import json
import random

import pytest

from claims import services
from claims.models import WebhookDelivery, WebhookEndpoint
from claims.services import webhooks
from tests.api.conftest import error_of
from tests.factories import ClaimFactory, editor

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def public_only(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False


def literal_public_endpoint(owner) -> WebhookEndpoint:
    # A literal public address: registration needs no DNS. Nothing is ever sent to
    # it here (the resend test moves the endpoint to a refused address first).
    return services.webhook_endpoint_create(
        url="http://1.1.1.1/hooks", events=["claim.verdict"], owner=owner
    )


def test_an_editor_registers_an_endpoint_and_sees_the_secret_once(api_as):
    client = api_as("editor")
    response = client.post(
        BASE,
        {"url": "https://1.1.1.1/hooks", "events": ["claim.verdict", "article.analysed"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]  # the secret: in no cache
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret and len(endpoint.secret) >= 40
    assert body["owner"] == "editor" and body["events"] == ["claim.verdict", "article.analysed"]

    listed = client.get(BASE).json()["results"]
    assert [e["id"] for e in listed] == [endpoint.pk] and "secret" not in listed[0]
    assert "secret" not in client.get(f"{BASE}{endpoint.pk}/").json()
    shown = client.get(f"{BASE}{endpoint.pk}/secret/")
    assert shown.json() == {"secret": endpoint.secret} and "no-store" in shown["Cache-Control"]


def test_the_same_url_twice_is_a_400_until_the_first_is_turned_off(api_as):
    client = api_as("editor")
    body = {"url": "https://1.1.1.1/hooks", "events": ["claim.verdict"]}
    first = client.post(BASE, body, format="json")
    assert first.status_code == 201
    second = client.post(BASE, body, format="json")
    assert second.status_code == 400
    assert "already have an active endpoint" in second.json()["error"]["details"]["url"][0]
    assert WebhookEndpoint.objects.count() == 1
    pk = first.json()["id"]
    assert client.patch(f"{BASE}{pk}/", {"active": False}, format="json").status_code == 200
    third = client.post(BASE, body, format="json")
    assert third.status_code == 201
    # Turning the first back on would make two active endpoints at one URL.
    again = client.patch(f"{BASE}{pk}/", {"active": True}, format="json")
    assert (
        again.status_code == 400
        and "already have an active endpoint" in again.json()["error"]["details"]["url"][0]
    )


def test_the_same_url_sent_twice_at_once_makes_one_endpoint(api_as, monkeypatch):
    # A form sent twice, or a client's retry after a timeout: both requests ran
    # the check before either had stored its endpoint, and both were stored, so
    # every event went to that URL twice.
    client = api_as("editor")
    body = {"url": "https://1.1.1.1/hooks", "events": ["claim.verdict"]}
    assert client.post(BASE, body, format="json").status_code == 201
    # The second request looked before the first one's row was there.
    monkeypatch.setattr(webhooks, "webhook_url_unique_check", lambda **kwargs: None)
    second = client.post(BASE, body, format="json")
    assert second.status_code == 400, second.content
    assert "already have an active endpoint" in second.json()["error"]["details"]["url"][0]
    assert WebhookEndpoint.objects.filter(active=True).count() == 1
    first_owner = WebhookEndpoint.objects.get().owner
    off = WebhookEndpoint.objects.create(
        url=body["url"], events=body["events"], secret="s", owner=first_owner, active=False
    )
    again = client.patch(f"{BASE}{off.pk}/", {"active": True}, format="json")
    assert again.status_code == 400, again.content
    assert "already have an active endpoint" in again.json()["error"]["details"]["url"][0]
    off.refresh_from_db()
    assert not off.active


def test_a_long_url_in_a_script_of_many_bytes_is_an_endpoint(api_as):
    # 1,900 characters, within the column's 2,000, but ~5,700 bytes in UTF-8: the
    # unique index on the URL itself refused the row on PostgreSQL (a b-tree row
    # holds ~2,700 bytes), and the add answered 500. The index is on its MD5.
    client = api_as("editor")
    spread = random.Random(7)  # varied, as a real path is: a repeat compresses to nothing
    url = "https://1.1.1.1/" + "".join(chr(spread.randrange(0x4E00, 0x9FFF)) for _ in range(1900))
    body = {"url": url, "events": ["claim.verdict"]}
    response = client.post(BASE, body, format="json")
    assert response.status_code == 201, response.content
    again = client.post(BASE, body, format="json")
    assert again.status_code == 400
    assert WebhookEndpoint.objects.get().url == url


def test_another_editor_manages_the_endpoint_but_never_sees_its_secret(api_as):
    endpoint = literal_public_endpoint(editor(username="owner"))
    client = api_as(editor(username="colleague"))
    assert client.get(f"{BASE}{endpoint.pk}/").status_code == 200
    assert error_of(client.get(f"{BASE}{endpoint.pk}/secret/"))["code"] == "permission_denied"
    response = client.patch(f"{BASE}{endpoint.pk}/", {"active": False}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.delete(f"{BASE}{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:8000/hooks", "private or local address"),
        ("http://localhost:8000/hooks", "private or local address"),
        ("ftp://1.1.1.1/hooks", "valid URL"),
        ("not a url", "valid URL"),
    ],
)
def test_a_bad_or_private_url_is_a_400_on_the_url(api_as, url, message):
    response = api_as("editor").post(BASE, {"url": url, "events": ["claim.verdict"]}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert message in error["details"]["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_http_is_refused_when_not_allowed(api_as, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    response = api_as("editor").post(
        BASE, {"url": "http://1.1.1.1/hooks", "events": ["claim.verdict"]}, format="json"
    )
    assert response.status_code == 400
    assert "https" in error_of(response)["details"]["url"][0]


def test_an_unknown_event_is_a_400(api_as):
    response = api_as("editor").post(
        BASE, {"url": "https://1.1.1.1/hooks", "events": ["claim.deleted"]}, format="json"
    )
    assert response.status_code == 400 and "events" in error_of(response)["details"]


@pytest.mark.parametrize("role", ["checker", "viewer"])
def test_other_roles_are_refused(api_as, role):
    endpoint = literal_public_endpoint(editor())
    client = api_as(role)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{endpoint.pk}/deliveries/").status_code == 403
    response = client.post(
        BASE, {"url": "https://1.1.1.1/x", "events": ["claim.verdict"]}, format="json"
    )
    assert response.status_code == 403
    assert client.delete(f"{BASE}{endpoint.pk}/").status_code == 403


def test_without_credentials_401(anon):
    assert anon.get(BASE).status_code == 401


def test_the_delivery_log_and_resend(api_as, commit_immediately, settings):
    owner = editor()
    endpoint = literal_public_endpoint(owner)
    claim = ClaimFactory(status="in_progress")
    # Not published (no worker here): the row is what the log shows.
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="claim.verdict",
        event_id="6f1c1ad4-8f1b-4b39-9a47-0d5b4e1c2f11",
        payload={"event": "claim.verdict", "data": {"claim": {"id": claim.pk}}},
        state="failed",
        attempts=6,
        error="HTTP 500",
        response_status=500,
    )
    client = api_as(owner)
    page = client.get(f"{BASE}{endpoint.pk}/deliveries/").json()
    [row] = page["results"]
    assert row["state"] == "failed" and row["error"] == "HTTP 500" and row["attempts"] == 6
    assert row["attempts_log"] == []

    # The resend tries at once (in-process here). The address has become a private
    # one since (as when DNS changes): refused at the try, visibly, nothing sent.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="http://127.0.0.1:9/hooks")
    response = client.post(f"{BASE}{endpoint.pk}/deliveries/{row['id']}/resend/")
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert delivery.resends == 1 and delivery.attempts == 7
    assert str(delivery.event_id) == "6f1c1ad4-8f1b-4b39-9a47-0d5b4e1c2f11"
    log = client.get(f"{BASE}{endpoint.pk}/deliveries/").json()["results"][0]["attempts_log"]
    assert [(a["number"], a["status"]) for a in log] == [(7, None)]
    assert "private or local address" in log[0]["error"]

    other = literal_public_endpoint(editor(username="e2"))
    assert client.post(f"{BASE}{other.pk}/deliveries/{row['id']}/resend/").status_code == 404


def test_the_delivery_log_reads_in_a_fixed_number_of_queries(api_as, django_assert_max_num_queries):
    owner = editor()
    endpoint = literal_public_endpoint(owner)
    for i in range(8):
        d = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="claim.verdict",
            event_id=f"6f1c1ad4-8f1b-4b39-9a47-0d5b4e1c2f{i:02d}",
            payload={"event": "claim.verdict"},
        )
        for n in (1, 2):
            d.tries.create(number=n, at=d.created_at, status=500, error="HTTP 500")
    client = api_as(owner)
    # Authentication (token, user, permissions), the endpoint, the page, its tries.
    with django_assert_max_num_queries(8):
        page = client.get(f"{BASE}{endpoint.pk}/deliveries/").json()
    assert len(page["results"]) == 8
    assert all(len(row["attempts_log"]) == 2 for row in page["results"])


def test_a_lone_surrogate_in_the_events_is_a_400(api_as):
    endpoint = literal_public_endpoint(editor())
    body = json.dumps({"events": ["claim.verdict", "\ud800"]})  # escaped, as JSON allows
    r = api_as("editor").generic(
        "PATCH", f"{BASE}{endpoint.pk}/", body, content_type="application/json"
    )
    assert r.status_code == 400, r.content
    assert error_of(r)["details"]["events"] == {"1": ['"\ud800" is not a valid choice.']}
    endpoint.refresh_from_db()
    assert endpoint.events == ["claim.verdict"]


@pytest.mark.django_db(transaction=True)
def test_migration_0029_keeps_the_oldest_of_duplicate_active_endpoints():
    """Endpoints stored twice before the constraint: the migration turns off all
    but the oldest active one of each owner and URL, then adds the constraint."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("claims", "0028_notification_deadline_per_person")
    after = ("claims", "0029_webhook_one_active_per_owner_url")
    MigrationExecutor(connection).migrate([before])
    try:
        owner = editor()
        made = [
            WebhookEndpoint.objects.create(
                url="https://1.1.1.1/hooks", events=["claim.verdict"], secret="s", owner=owner
            )
            for _ in range(3)
        ]
        other = WebhookEndpoint.objects.create(
            url="https://1.1.1.1/other", events=["claim.verdict"], secret="s", owner=owner
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # 0029 and those after it
    assert after in MigrationExecutor(connection).loader.applied_migrations
    active = WebhookEndpoint.objects.filter(active=True).values_list("pk", flat=True)
    assert sorted(active) == [made[0].pk, other.pk]
    assert WebhookEndpoint.objects.count() == 4  # turned off, their logs kept
