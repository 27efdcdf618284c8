"""Role x transition through POST /api/v1/claims/{id}/transitions/, each role with
its own token: 200 where the workflow allows it, 403 where the move exists but
not for this role, 400 where it does not exist from this status, 409 when stale."""

import pytest

from claims.models import ClaimStatus, StatusChange
from claims.workflow import claim_set_notes
from tests.api.conftest import error_of
from tests.factories import ClaimFactory, editor
from tests.transition_table import EXPECTED, EXTRA, PAIRS

S = ClaimStatus


def post(client, claim, to, version=1, note="checked"):
    return client.post(
        f"/api/v1/claims/{claim.pk}/transitions/",
        {
            "to": to,
            "note": note,
            "version": version,
            **EXTRA.get(to if isinstance(to, str) else "", {}),
        },
        format="json",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "checker", "viewer"])
@pytest.mark.parametrize("frm, to", PAIRS)
def test_matrix(api_as, role, frm, to):
    client = api_as(role)
    claim = ClaimFactory(status=frm)
    r = post(client, claim, to)
    claim.refresh_from_db()
    if role in EXPECTED.get((frm, to), set()):
        assert r.status_code == 200, r.content
        assert r.json()["status"] == to and r.json()["version"] == 2
        assert claim.status == to and claim.version == 2
        change = StatusChange.objects.get(claim=claim)
        assert (change.user.username, change.from_status, change.to_status) == (role, frm, to)
        return
    expected = (
        (403, "permission_denied") if (frm, to) in EXPECTED else (400, "transition_not_allowed")
    )
    assert (r.status_code, error_of(r)["code"]) == expected, r.content
    assert "can" in error_of(r)["message"]  # says what is possible instead
    assert claim.status == frm and claim.version == 1
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "checker"])
@pytest.mark.parametrize("frm, to", [pair for pair in EXPECTED if pair[0] == S.UNSTARTED])
def test_stale_version_is_409(api_as, role, frm, to):
    """Allowed, but someone saved the claim (here: its notes) after the client read it."""
    claim = ClaimFactory(status=frm)
    claim_set_notes(claim=claim, notes="seen", user=editor(username="other"), expected_version=1)
    r = post(api_as(role), claim, to, version=1)
    assert r.status_code == 409 and error_of(r)["code"] == "stale_version"
    assert "changed by other" in error_of(r)["message"]
    claim.refresh_from_db()
    assert claim.status == frm and claim.version == 2
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("to", ["done", "", None, 7, ["verified"]])
def test_a_made_up_status_is_400(api_as, to):
    claim = ClaimFactory(status=S.IN_PROGRESS)
    r = post(api_as("editor"), claim, to)
    assert r.status_code == 400
    assert "to" in error_of(r)["details"]
    claim.refresh_from_db()
    assert claim.status == S.IN_PROGRESS and not StatusChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("version", [None, "one", 0, -1, 2**40, 1.5, True])
def test_a_bad_version_is_400(api_as, version):
    claim = ClaimFactory(status=S.UNSTARTED)
    r = post(api_as("editor"), claim, "in_progress", version=version)
    assert r.status_code == 400 and "version" in error_of(r)["details"]
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_a_claim_that_does_not_exist_is_404(api_as):
    r = api_as("editor").post(
        "/api/v1/claims/987654/transitions/", {"to": "in_progress", "version": 1}, format="json"
    )
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


@pytest.mark.django_db
def test_the_schema_s_403_example_is_what_a_refused_verdict_says(api_as):
    """The API docs' 403 example read "Your role cannot give a verdict: a claim.
    ...", which no answer says: a checker's verdict is refused with "Your role
    cannot give a verdict (verified) on a claim. You can move this one to: ..."."""
    from claims.api.schema import CODES

    code, example = CODES[403]
    r = post(api_as("checker"), ClaimFactory(status=S.IN_PROGRESS), S.VERIFIED)
    assert r.status_code == 403 and error_of(r)["code"] == code
    assert error_of(r)["message"].startswith(example.removesuffix("..."))
