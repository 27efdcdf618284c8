"""The desk through the API: due date, priority and the published fact-check are
read by everyone and written by editors (PATCH /api/v1/claims/{id}/); a dismiss
names its reason."""

import pytest

from claims.models import ClaimStatus
from tests.api.conftest import error_of
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/"


def test_desk_fields_are_read_by_everyone(api_as):
    claim = ClaimFactory(priority=2, public_url="https://f.example/a", public_summary="S")
    body = api_as("viewer").get(f"{URL}{claim.pk}/").json()
    assert body["priority"] == 2 and body["due_at"] is None
    assert (body["public_url"], body["public_summary"]) == ("https://f.example/a", "S")
    assert body["dismiss_reason"] == ""


def test_editors_patch_plan_and_public_fields(api_as):
    claim = ClaimFactory()
    r = api_as("editor").patch(
        f"{URL}{claim.pk}/",
        {
            "version": 1,
            "due_at": "2026-12-24T09:00:00Z",
            "priority": 1,
            "public_url": "https://factcheck.example/dam",
            "public_summary": "It passed.",
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["priority"] == 1 and body["due_at"].startswith("2026-12-24T09:00:00")
    assert body["public_url"] == "https://factcheck.example/dam" and body["version"] == 3
    assert [e["kind"] for e in body["history"]] == ["planned", "published"]


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_other_roles_cannot_patch(api_as, role):
    claim = ClaimFactory()
    r = api_as(role).patch(f"{URL}{claim.pk}/", {"version": 1, "priority": 1}, format="json")
    assert r.status_code == 403 and error_of(r)["code"] == "permission_denied"
    claim.refresh_from_db()
    assert claim.priority == 3 and claim.version == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"version": 1, "public_url": "javascript:alert(1)"}, "public_url"),
        ({"version": 1, "public_url": "https://exa\u202emple.org/"}, "public_url"),
        ({"version": 1, "public_url": "https://goo\u200bgle.com/"}, "public_url"),
        ({"version": 1, "public_url": "https://goo\u00adgle.com/"}, "public_url"),
        ({"version": 1, "priority": 9}, "priority"),
        ({"version": 1}, "non_field_errors"),
    ],
)
def test_bad_patches_are_400(api_as, body, field):
    claim = ClaimFactory()
    r = api_as("editor").patch(f"{URL}{claim.pk}/", body, format="json")
    assert r.status_code == 400 and field in error_of(r)["details"], r.content
    claim.refresh_from_db()
    assert claim.version == 1


def test_a_stale_patch_is_409(api_as):
    claim = ClaimFactory(version=2)
    r = api_as("editor").patch(f"{URL}{claim.pk}/", {"version": 1, "priority": 1}, format="json")
    assert r.status_code == 409


def test_a_dismiss_through_the_api_needs_its_reason(api_as):
    claim = ClaimFactory()
    client = api_as("checker")
    r = client.post(
        f"{URL}{claim.pk}/transitions/", {"to": "dismissed", "version": 1}, format="json"
    )
    assert r.status_code == 400 and error_of(r)["code"] == "reason_required"
    r = client.post(
        f"{URL}{claim.pk}/transitions/",
        {"to": "dismissed", "version": 1, "dismiss_reason": "not_checkworthy"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["dismiss_reason"] == "not_checkworthy"
    assert r.json()["status"] == ClaimStatus.DISMISSED
    # ... and the checker who dismissed it may restore it.
    assert "unstarted" in r.json()["allowed_transitions"]
