"""Content-Security-Policy: our own origin only, no inline script anywhere, no
framing. The pages must work under it, so none of them may carry an inline
script, an event-handler attribute or an inline style (Swagger UI's one inline
<style> block is allowed by its own policy)."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from claims.workflow import claim_transition
from tests.factories import editor

BASE = {"default-src": ["'self'"], "frame-ancestors": ["'none'"], "object-src": ["'none'"]}


def directives(header: str) -> dict[str, list[str]]:
    parts = [d.split() for d in header.split(";") if d.strip()]
    return {p[0]: p[1:] for p in parts}


class Inline(HTMLParser):
    """Records what a CSP without 'unsafe-inline' would block, and foreign origins."""

    def __init__(self):
        super().__init__()
        self.found, self._in = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
        if "style" in attrs:
            self.found.append(f"<{tag} style=...>")
        if tag in {"script", "style"}:
            self._in = tag if not attrs.get("src") else None
        for name in ("src", "href", "action"):
            url = attrs.get(name) or ""
            foreign = url.startswith(("http:", "https:", "//", "javascript:", "data:"))
            if foreign and (name != "href" or tag == "link"):
                self.found.append(f"<{tag} {name}={url}>")

    def handle_data(self, data):
        if self._in and data.strip():
            self.found.append(f"inline <{self._in}>")

    def handle_endtag(self, tag):
        self._in = None


def blocked(html: str) -> list[str]:
    parser = Inline()
    parser.feed(html)
    return parser.found


@pytest.fixture
def pages(db, claim):
    boss = editor()
    claim_transition(claim=claim, to_status="in_progress", user=boss, expected_version=1)
    claim_transition(claim=claim, to_status="false", user=boss, note="No.", expected_version=2)
    return [
        "/",
        reverse("dashboard:overview"),
        reverse("dashboard:articles"),
        reverse("dashboard:ingest"),
        reverse("dashboard:article", args=[claim.article_id]),
        reverse("dashboard:claim", args=[claim.pk]),
        reverse("dashboard:claim-panel", args=[claim.pk]),
        reverse("dashboard:account"),
        reverse("password_change"),
        "/admin/",
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_claim_change", args=[claim.pk]),
    ]


def test_the_policy_forbids_inline_script_and_framing():
    policy = directives(settings.CONTENT_SECURITY_POLICY)
    for name, value in BASE.items():
        assert policy[name] == value
    assert "script-src" not in policy  # falls back to default-src 'self'
    assert "style-src" not in policy


def test_every_dashboard_and_admin_page_is_served_with_it_and_needs_no_inline(pages):
    client = Client()
    client.force_login(editor())
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY, url
        assert blocked(response.content.decode()) == [], url
        if url == reverse("admin:claims_claim_changelist"):
            # The confidence colours come from a stylesheet, not style attributes.
            assert b"claims/admin.css" in response.content
            assert b'class="level level-very_low"' in response.content


def test_the_login_page_too(db):
    response = Client().get(reverse("login"))
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert blocked(response.content.decode()) == []
    assert response["X-Frame-Options"] == "DENY"


def test_api_responses_carry_it(db):
    response = Client().get("/api/v1/claims/")
    assert response.status_code == 401
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_swagger_ui_has_its_own_policy_still_without_inline_script(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy.get("script-src", policy["default-src"])
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    # Its only inline piece is the <style> block its policy allows; the script that
    # starts it is a file of its own (the split view), served under the same policy.
    assert blocked(response.content.decode()) == ["inline <style>"]
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def test_every_dashboard_and_admin_page_names_its_icon(pages):
    # Was: the admin pages named none, so the browser asked for /favicon.ico on
    # each one: a 404 in the console and in the server's log every time.
    client = Client()
    client.force_login(editor())
    for url in pages:
        if url.endswith("/panel/"):
            continue  # a fragment, swapped into a page
        html = client.get(url).content.decode()
        assert '<link rel="icon" href="/static/claims/favicon.svg"' in html, url
