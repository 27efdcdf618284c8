"""GET/POST /api/v1/claims/{id}/comments/: everyone reads, fact-checkers and
editors write; the one error shape for refusals."""

import pytest

from claims.models import Comment, Notification
from claims.workflow import comment_add
from tests.api.conftest import error_of
from tests.factories import ClaimFactory, checker

pytestmark = pytest.mark.django_db


def url(claim) -> str:
    return f"/api/v1/claims/{claim.pk}/comments/"


@pytest.mark.parametrize("role, code", [("editor", 201), ("checker", 201), ("viewer", 403)])
def test_who_may_comment(api_as, role, code):
    claim = ClaimFactory()
    response = api_as(role).post(url(claim), {"body": "Checked **this**."}, format="json")
    assert response.status_code == code, response.content
    if code == 201:
        body = response.json()
        assert body["author"] == role
        assert body["body"] == "Checked **this**."
        assert body["body_html"] == "<p>Checked <strong>this</strong>.</p>\n"
        assert body["mentions"] == []
    else:
        assert error_of(response)["code"] == "permission_denied"
        assert not Comment.objects.exists()


@pytest.mark.parametrize("role", ["editor", "checker", "viewer"])
def test_everyone_reads_the_discussion(api_as, role):
    claim = ClaimFactory()
    comment_add(claim=claim, body="First <script>x</script>", user=checker(username="ana"))
    response = api_as(role).get(url(claim))
    assert response.status_code == 200
    [row] = response.json()
    assert row["author"] == "ana" and "<script>" not in row["body_html"]


def test_mentions_are_returned_and_notified(api_as):
    claim = ClaimFactory()
    bob = checker(username="bob")
    response = api_as("editor").post(url(claim), {"body": "@bob please look"}, format="json")
    assert response.json()["mentions"] == ["bob"]
    assert Notification.objects.get().recipient == bob


@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": "   "}, {"body": 42}])
def test_bad_comments_are_refused(api_as, payload):
    response = api_as("checker").post(url(ClaimFactory()), payload, format="json")
    assert response.status_code == 400
    error_of(response)
    assert not Comment.objects.exists()


def test_unknown_claim_is_404(api_as):
    response = api_as("checker").get("/api/v1/claims/999999/comments/")
    assert response.status_code == 404
    error_of(response)


def test_notes_are_still_in_the_claim_document(api_as):
    claim = ClaimFactory(notes="Old notes")
    assert api_as("viewer").get(f"/api/v1/claims/{claim.pk}/").json()["notes"] == "Old notes"
