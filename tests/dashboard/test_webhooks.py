"""/webhooks/ on the dashboard and the webhook admin: editors only, the secret shown
once (and again only to the owner), the delivery log with Resend, delete with a
confirmation, private addresses refused with a message, everything escaped, CSRF on."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import WebhookDelivery, WebhookEndpoint
from tests.factories import checker, editor, viewer
from tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db
LIST = "/webhooks/"


@pytest.fixture(autouse=True)
def public_only(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False


def endpoint(owner, **kw) -> WebhookEndpoint:
    # A literal public address: no DNS, and nothing is ever sent to it here.
    return services.webhook_endpoint_create(
        url="https://1.1.1.1/hooks", events=["claim.verdict"], owner=owner, **kw
    )


def delivery(ep: WebhookEndpoint, **kw) -> WebhookDelivery:
    fields = {
        "event": "claim.verdict",
        "event_id": "0b6a4c4e-51bb-4c0e-8a55-7a1b2c3d4e5f",
        "payload": {"event": "claim.verdict"},
        "state": "failed",
        "attempts": 6,
        "error": "HTTP 500",
        "response_status": 500,
        **kw,
    }
    return WebhookDelivery.objects.create(endpoint=ep, **fields)


def test_an_editor_adds_an_endpoint_and_sees_its_secret_once(client_as):
    client = client_as("editor")
    page = client.get(LIST)
    assert page.status_code == 200
    assert b'href="/webhooks/"' in page.content  # the nav link
    response = client.post(
        LIST, {"url": "https://1.1.1.1/hooks", "events": ["claim.verdict"], "description": "CMS"}
    )
    # POST/redirect/GET: a refresh of the page after the add sends nothing again.
    ep = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{ep.pk}/added/"
    assert ep.secret.encode() not in response.content and ep.owner == client.user
    added = client.get(response["Location"])
    assert added.status_code == 200 and ep.secret.encode() in added.content
    assert added["Cache-Control"] == "no-store"
    again = client.get(response["Location"])  # a refresh: the secret is not shown twice
    assert again.status_code == 302 and again["Location"] == f"/webhooks/{ep.pk}/"
    assert ep.secret.encode() not in client.get(LIST).content
    assert ep.secret.encode() not in client.get(f"/webhooks/{ep.pk}/").content
    shown = client.post(f"/webhooks/{ep.pk}/secret/")
    assert shown.status_code == 200 and ep.secret.encode() in shown.content
    assert shown["Cache-Control"] == "no-store"


def test_the_same_url_twice_is_refused_with_a_message(client_as):
    client = client_as("editor")
    form = {"url": "https://1.1.1.1/hooks", "events": ["claim.verdict"]}
    assert client.post(LIST, form).status_code == 302
    second = client.post(LIST, {**form, "events": ["article.analysed"]})
    assert second.status_code == 400
    assert b"You already have an active endpoint at this URL" in second.content
    assert WebhookEndpoint.objects.count() == 1
    # Another editor's endpoint at the same URL is theirs (their role's payloads).
    assert client_as(editor(username="colleague")).post(LIST, form).status_code == 302
    assert WebhookEndpoint.objects.count() == 2


def test_only_the_owner_reaches_the_added_page(client_as):
    owner = client_as("editor")
    owner.post(LIST, {"url": "https://1.1.1.1/hooks", "events": ["claim.verdict"]})
    ep = WebhookEndpoint.objects.get()
    other = client_as(editor(username="colleague"))
    page = other.get(f"/webhooks/{ep.pk}/added/")
    assert page.status_code == 302 and ep.secret.encode() not in page.content


def test_only_the_owner_sees_the_secret_again(client_as):
    ep = endpoint(editor(username="owner"))
    other = client_as(editor(username="colleague"))
    page = other.get(f"/webhooks/{ep.pk}/")
    assert page.status_code == 200 and b"Show the secret" not in page.content
    assert other.post(f"/webhooks/{ep.pk}/secret/").status_code == 403


def test_a_private_address_is_refused_with_a_message(client_as):
    response = client_as("editor").post(
        LIST, {"url": "http://localhost:8080/hooks", "events": ["claim.verdict"]}
    )
    assert response.status_code == 400
    assert b"private or local address" in response.content
    assert not WebhookEndpoint.objects.exists()


def test_the_url_help_follows_the_settings(client_as, settings):
    client = client_as("editor")
    page = client.get(LIST).content.decode()
    assert "https:// or http://; private and local addresses are refused." in page
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    page = client.get(LIST).content.decode()
    assert "https:// only; private and local addresses are accepted" in page
    assert "are refused" not in page


def test_the_log_says_each_thing_once_and_an_embedded_retry_honestly(client_as, settings):
    owner = editor()
    ep = endpoint(owner)
    failed = delivery(ep)
    retrying = delivery(
        ep, state="retrying", attempts=2, error="Could not connect to the endpoint "
        "(connection refused).", response_status=None, event_id=uuid.uuid4(),
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    client = client_as(owner)
    page = client.get(f"/webhooks/{ep.pk}/").content.decode()
    assert "HTTP 500 HTTP 500" not in page
    row = page[page.index(str(failed.event_id)) :]
    assert re.search(r'data-label="Last response">\s*HTTP 500\s*</td>', row)
    # No beat runs in the embedded mode: no "next try" time that never comes.
    assert ", next try" not in page
    assert "the next try needs Celery beat, which the embedded mode does not run" in page
    celery_app.conf.task_always_eager = False
    page = client.get(f"/webhooks/{ep.pk}/").content.decode()
    when = timezone.localtime(retrying.next_attempt_at).strftime("%H:%M:%S")
    assert f"Retrying, next try {when}" in page and "embedded mode" not in page


@pytest.mark.parametrize("role", ["checker", "viewer"])
def test_other_roles_are_refused(client_as, role):
    ep = endpoint(editor())
    d = delivery(ep)
    client = client_as(role)
    assert b'href="/webhooks/"' not in client.get("/").content
    assert client.get(LIST).status_code == 403
    assert client.get(f"/webhooks/{ep.pk}/").status_code == 403
    assert (
        client.post(LIST, {"url": "https://1.1.1.1/x", "events": ["claim.verdict"]}).status_code
        == 403
    )
    assert client.post(f"/webhooks/{ep.pk}/delete/").status_code == 403
    assert client.post(f"/webhooks/{ep.pk}/deliveries/{d.pk}/resend/").status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_log_shows_every_attempt_and_resend_tries_again(
    client_as, django_capture_on_commit_callbacks
):
    owner = editor()
    ep = endpoint(owner)
    d = delivery(ep)
    d.tries.create(
        number=6, at=d.created_at, status=500, error="HTTP 500", response_excerpt="<b>down</b>"
    )
    client = client_as(owner)
    page = client.get(f"/webhooks/{ep.pk}/").content.decode()
    assert "Failed" in page and "HTTP 500" in page and "Resend" in page
    assert "&lt;b&gt;down&lt;/b&gt;" in page and "<b>down</b>" not in page  # escaped

    # The address turned private since: the resend's try is refused, and logged.
    WebhookEndpoint.objects.filter(pk=ep.pk).update(url="http://127.0.0.1:9/hooks")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webhooks/{ep.pk}/deliveries/{d.pk}/resend/")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.resends == 1 and d.attempts == 7 and d.state == "failed"
    assert "private or local address" in d.error


def test_delete_asks_first(client_as):
    owner = editor()
    ep = endpoint(owner)
    delivery(ep)
    client = client_as(owner)
    confirm = client.get(f"/webhooks/{ep.pk}/delete/")
    assert confirm.status_code == 200 and b"1 delivery" in confirm.content
    assert WebhookEndpoint.objects.exists()
    assert client.post(f"/webhooks/{ep.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def test_user_text_is_escaped(client_as):
    owner = editor()
    endpoint(owner, description='<script>alert("x")</script>')
    content = client_as(owner).get(LIST).content
    assert b"<script>alert" not in content and b"&lt;script&gt;alert" in content


def test_posts_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor())
    response = client.post(LIST, {"url": "https://1.1.1.1/x", "events": ["claim.verdict"]})
    assert response.status_code == 403 and not WebhookEndpoint.objects.exists()


# --- The admin -------------------------------------------------------------------------


def test_an_editor_manages_endpoints_in_the_admin_and_reads_deliveries(
    client, django_capture_on_commit_callbacks
):
    owner = editor()
    client.force_login(owner)
    add = reverse("admin:claims_webhookendpoint_add")
    response = client.post(
        add,
        {
            "url": "https://1.1.1.1/hooks",
            "description": "",
            "events": ["claim.verdict"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    ep = WebhookEndpoint.objects.get()
    assert ep.owner == owner and len(ep.secret) >= 40
    refused = client.post(
        add, {"url": "http://10.0.0.5/hooks", "events": ["claim.verdict"], "active": "on"}
    )
    assert refused.status_code == 200 and b"private or local address" in refused.content
    twice = client.post(
        add, {"url": "https://1.1.1.1/hooks", "events": ["claim.status_changed"], "active": "on"}
    )  # the same URL again: a message on the field, not a server error
    assert twice.status_code == 200 and b"already have an active endpoint" in twice.content
    assert WebhookEndpoint.objects.count() == 1

    d = delivery(ep)
    d.tries.create(number=1, at=d.created_at, status=500, error="HTTP 500")
    assert client.get(reverse("admin:claims_webhookdelivery_changelist")).status_code == 200
    change = client.get(reverse("admin:claims_webhookdelivery_change", args=[d.pk]))
    assert change.status_code == 200 and b"HTTP 500" in change.content
    assert client.get(reverse("admin:claims_webhookdelivery_add")).status_code == 403

    WebhookEndpoint.objects.filter(pk=ep.pk).update(url="http://127.0.0.1:9/hooks")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:claims_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [d.pk]},
        )
    d.refresh_from_db()
    assert d.resends == 1 and d.attempts == 7


@pytest.mark.parametrize("make", [checker, viewer])
def test_other_roles_have_no_webhook_admin(client, make):
    client.force_login(make(is_staff=True))
    assert client.get(reverse("admin:claims_webhookendpoint_changelist")).status_code == 403
    assert client.get(reverse("admin:claims_webhookdelivery_changelist")).status_code == 403
