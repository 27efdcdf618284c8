"""The editors' admin: same rules as the service, history untouchable, bounded queries."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import ClaimStatus, StatusChange
from tests.factories import ArticleFactory, ClaimFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)  # client.login() has no request for the lockout to check
    return client


def change_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def form_data(claim, **extra):
    data = {
        "expected_version": claim.version,
        "assignee": claim.assignee_id or "",
        "notes": claim.notes,
        "source_text": claim.source_text,
        "source_type": claim.source_type,
        "source_role": claim.source_role,
        "sourcing_strength": claim.sourcing_strength,
        "kind": claim.kind,
        "transition_to": "",
        "transition_note": "",
        "transition_dismiss_reason": "",
        "due_at_0": "",
        "due_at_1": "",
        "priority": claim.priority,
        "public_url": claim.public_url,
        "public_summary": claim.public_summary,
    }
    for prefix in ("hedges", "evidence", "status_changes", "changes"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(extra)
    return data


def test_editor_moves_a_claim_through_the_admin_and_it_is_recorded(client):
    claim = ClaimFactory()
    login(client, editor())
    resp = client.post(change_url(claim), form_data(claim, transition_to="in_progress"))
    assert resp.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PROGRESS
    assert StatusChange.objects.get(claim=claim).to_status == "in_progress"


def test_admin_refuses_a_verdict_without_note_and_keeps_the_status(client):
    claim = ClaimFactory(status=ClaimStatus.IN_PROGRESS)
    login(client, editor())
    resp = client.post(change_url(claim), form_data(claim, transition_to="verified"), follow=True)
    assert "A note (the rationale) is required" in resp.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PROGRESS


def test_admin_stale_save_is_refused_with_who_and_when(client):
    claim = ClaimFactory()
    login(client, editor())
    stale = form_data(claim, notes="my note")
    client.post(change_url(claim), form_data(claim, notes="first note"))
    resp = client.post(change_url(claim), stale, follow=True)
    assert "was changed by editor at" in resp.content.decode()
    claim.refresh_from_db()
    assert claim.notes == "first note"


def test_admin_stale_status_change_says_the_claim_changed_meanwhile(client):
    # Was: editor B, whose page was loaded before editor A gave the claim a
    # verdict, chose "Verified" and saved: the admin answered only "Select a
    # valid choice. verified is not one of the available choices.", not that
    # someone had changed the claim meanwhile.
    claim = ClaimFactory(status=ClaimStatus.IN_PROGRESS)
    login(client, editor())
    stale = form_data(claim, transition_to="verified", transition_note="Looks right.")
    first = form_data(claim, transition_to="false", transition_note="Bureau says no.")
    assert client.post(change_url(claim), first).status_code == 302
    resp = client.post(change_url(claim), stale)
    html = resp.content.decode()
    assert "was changed by editor at" in html
    assert "Nothing was saved" in html
    assert "is not one of the available choices" not in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FALSE


@pytest.mark.parametrize("make_user", [checker, viewer])
def test_non_editors_have_no_admin(client, make_user):
    claim = ClaimFactory()
    login(client, make_user())
    resp = client.post(change_url(claim), form_data(claim, transition_to="in_progress"))
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSTARTED


def test_history_cannot_be_edited_or_deleted_from_the_admin(client):
    claim = ClaimFactory()
    user = editor()
    login(client, user)
    client.post(change_url(claim), form_data(claim, transition_to="in_progress"))
    change = StatusChange.objects.get()
    url = reverse("admin:claims_statuschange_change", args=[change.pk])
    assert client.post(url, {"note": "rewritten", "to_status": "verified"}).status_code == 403
    delete = reverse("admin:claims_statuschange_delete", args=[change.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:claims_statuschange_changelist")
    resp = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [change.pk], "post": "yes"}
    )
    assert StatusChange.objects.filter(pk=change.pk, note="").exists()
    assert resp.status_code in (200, 302, 403)


def test_history_rows_refuse_orm_changes():
    claim = ClaimFactory()
    change = StatusChange.objects.create(
        claim=claim, from_status="unstarted", to_status="in_progress"
    )
    change.note = "rewritten"
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        change.delete()


@pytest.mark.postgres
def test_postgres_refuses_history_changes_whatever_the_path():
    from django.db import DatabaseError, transaction

    claim = ClaimFactory()
    StatusChange.objects.create(claim=claim, from_status="unstarted", to_status="in_progress")
    with pytest.raises(DatabaseError), transaction.atomic():
        StatusChange.objects.update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        StatusChange.objects.all()._raw_delete(StatusChange.objects.db)


def test_bulk_assign_records_one_entry_per_claim(client):
    article = ArticleFactory()
    claims = [ClaimFactory(article=article, confidence_level="very_low") for _ in range(3)]
    someone = checker()
    login(client, editor())
    resp = client.post(
        reverse("admin:claims_claim_changelist"),
        {
            "action": "bulk_assign",
            "_selected_action": [c.pk for c in claims],
            "apply": "1",
            "assignee": someone.pk,
            "note": "please check by noon",
        },
    )
    assert resp.status_code == 302
    for c in claims:
        c.refresh_from_db()
        assert c.assignee == someone
        assert c.changes.get().note == "please check by noon"


@pytest.mark.parametrize("rows", [5, 40])
def test_changelist_queries_do_not_grow_with_the_page(client, rows, django_assert_max_num_queries):
    article = ArticleFactory()
    for _ in range(rows):
        ClaimFactory(article=article, assignee=checker())
    login(client, editor())
    url = reverse("admin:claims_claim_changelist")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    # Same ceiling for 5 and 40 rows: the filters' lookups and the page are fixed queries.
    assert len(ctx.captured_queries) <= 14, [q["sql"][:120] for q in ctx.captured_queries]


def with_evidence(data, url):
    data.update({"evidence-TOTAL_FORMS": 1, "evidence-0-url": url, "evidence-0-note": "source"})
    return data


def test_admin_stale_save_writes_nothing_and_keeps_the_typed_form(client):
    """Two editors on one claim: the second save is refused whole (its evidence
    row too), before anything is written, and the form shows what they typed."""
    from claims.models import Comment, Evidence

    claim = ClaimFactory()
    source = claim.source_text
    login(client, editor())
    stale = form_data(claim, notes="B's note", source_text="B's source")
    with_evidence(stale, "https://example.org/b-evidence")
    first = client.post(change_url(claim), form_data(claim, priority=1, notes="A's note"))
    assert first.status_code == 302
    claim.refresh_from_db()
    version = claim.version

    resp = client.post(change_url(claim), stale)

    assert resp.status_code == 200  # the bound form again, not a redirect
    page = resp.content.decode()
    assert "was changed by editor at" in page and "Nothing was saved" in page
    assert "B&#x27;s note" in page and "B&#x27;s source" in page
    assert "https://example.org/b-evidence" in page
    claim.refresh_from_db()
    assert (claim.version, claim.notes, claim.source_text) == (version, "A's note", source)
    assert not Evidence.objects.filter(claim=claim).exists()
    assert not Comment.objects.filter(claim=claim, body="B's note").exists()


def test_admin_refused_transition_writes_none_of_the_save(client):
    """A dismiss without its reason refuses the priority, notes (and their
    comment) and evidence of the same save too."""
    from claims.models import Comment, Evidence

    claim = ClaimFactory()
    login(client, editor())
    data = form_data(claim, priority=4, notes="typed notes", transition_to="dismissed")
    with_evidence(data, "https://example.org/evidence")

    resp = client.post(change_url(claim), data)

    assert resp.status_code == 200
    page = resp.content.decode()
    assert "Say why the claim is dismissed" in page and "typed notes" in page
    fresh = type(claim).objects.get(pk=claim.pk)
    assert (fresh.version, fresh.priority, fresh.notes) == (claim.version, claim.priority, "")
    assert fresh.status == ClaimStatus.UNSTARTED
    assert not Evidence.objects.filter(claim=claim).exists()
    assert not Comment.objects.filter(claim=claim).exists()

    data["transition_dismiss_reason"] = "opinion"
    assert client.post(change_url(claim), data).status_code == 302
    fresh.refresh_from_db()
    assert (fresh.status, fresh.priority, fresh.notes) == ("dismissed", 4, "typed notes")
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_admin_save_refused_after_the_form_check_is_rolled_back_whole(client, monkeypatch):
    """Someone saves between the form's check and the writes: the workflow refuses
    then, and the admin's transaction undoes everything, evidence included."""
    from claims.admin import ClaimForm
    from claims.models import Claim, Evidence

    claim = ClaimFactory()
    clean = ClaimForm.clean

    def clean_then_someone_saves(form):
        data = clean(form)
        Claim.objects.filter(pk=claim.pk).update(version=claim.version + 1)
        return data

    monkeypatch.setattr(ClaimForm, "clean", clean_then_someone_saves)
    login(client, editor())
    data = with_evidence(form_data(claim, notes="typed", priority=4), "https://example.org/e")
    resp = client.post(change_url(claim), data, follow=True)
    assert "Reload it and try again" in resp.content.decode()
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.version, fresh.notes, fresh.priority) == (claim.version, "", claim.priority)
    assert not Evidence.objects.filter(claim=claim).exists()


def test_evidence_alone_is_added_after_someone_else_saved(client):
    """Evidence has no version check (evidence_add): adding it in the admin after
    another save that changed nothing the form shows is no conflict. (A form whose
    values differ from the claim's now is: the whole save is refused.)"""
    from claims.models import Evidence
    from claims.workflow import claim_transition

    worker = checker()
    claim = ClaimFactory(assignee=worker)
    data = with_evidence(form_data(claim), "https://example.org/evidence")
    # Another save (the version moves on) that changes nothing the form shows.
    claim_transition(claim=claim, to_status="in_progress", user=worker, expected_version=1)
    login(client, editor())
    response = client.post(change_url(claim), data)
    assert response.status_code == 302
    assert Evidence.objects.filter(claim=claim, url="https://example.org/evidence").exists()


def test_notes_past_a_comments_length_are_refused_in_the_form(client):
    claim = ClaimFactory()
    login(client, editor())
    response = client.post(change_url(claim), form_data(claim, notes="x" * 20_001, priority=1))
    assert response.status_code == 200
    assert "Notes can be at most 20000 characters" in response.content.decode()
    claim.refresh_from_db()
    assert claim.notes == "" and claim.priority != 1 and claim.version == 1


class _BrowserForm(HTMLParser):
    """The fields a browser would post from the claim's change page, as rendered."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea, self._select, self._first_option = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "radio"):
            self.data[name] = a.get("value") or ""
        elif tag == "input" and name and "checked" in a:
            self.data[name] = a.get("value", "on")
        elif tag == "textarea" and name:
            self._textarea, self.data[name] = name, ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.data[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # HTML drops the newline that opens a textarea's text and reads CR and
            # CRLF as LF; browsers post its newlines as CRLF.
            text = self.data[self._textarea].removeprefix("\n")
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            self.data[self._textarea] = text.replace("\n", "\r\n")
            self._textarea = None
        elif tag == "select" and self._select:
            self.data.setdefault(self._select, self._first_option or "")
            self._select = None


def browser_form_data(client, claim, **extra):
    page = client.get(change_url(claim))
    assert page.status_code == 200
    parser = _BrowserForm()
    parser.feed(page.content.decode())
    return parser.data | extra


def test_a_save_that_leaves_the_due_date_alone_does_not_replan_it(client):
    """The admin's date and time inputs show no microseconds: posted back as
    shown, a due time with them is unchanged, not recorded nor truncated."""
    from claims.models import ClaimChange

    due = timezone.now().replace(microsecond=250_000) + timedelta(days=2)
    claim = ClaimFactory(due_at=due, priority=2)
    login(client, editor())

    response = client.post(change_url(claim), browser_form_data(client, claim, priority="1"))

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.due_at, claim.priority) == (due, 1)
    change = ClaimChange.objects.get(claim=claim)
    assert (change.action, change.changes) == ("planned", {"priority": [2, 1]})


# Notes stored with "\n" (the API's), or with CRLF (admin saves before the fix).
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_notes_posted_back_with_a_browsers_crlf_newlines_are_no_change(client, newline):
    from claims.models import ClaimChange, Comment

    notes, summary = f"line one{newline}line two", f"one{newline}two"
    claim = ClaimFactory(notes=notes, public_summary=summary, priority=2)
    login(client, editor())

    data = browser_form_data(client, claim, priority="1")
    assert data["notes"] == "line one\r\nline two"  # as a browser sends it
    response = client.post(change_url(claim), data)

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.priority, claim.notes, claim.public_summary) == (1, notes, summary)
    change = ClaimChange.objects.get(claim=claim)
    assert (change.action, change.changes) == ("planned", {"priority": [2, 1]})
    assert not Comment.objects.filter(claim=claim).exists()


def test_notes_typed_in_the_admin_are_kept_with_plain_newlines(client):
    from claims.models import ClaimChange, Comment

    claim = ClaimFactory(notes="line one")
    login(client, editor())

    data = browser_form_data(client, claim, notes="line one\r\nline two")
    assert client.post(change_url(claim), data).status_code == 302

    claim.refresh_from_db()
    assert claim.notes == "line one\nline two"
    change = ClaimChange.objects.get(claim=claim)
    assert change.changes == {"notes": ["line one", "line one\nline two"]}
    assert Comment.objects.get(claim=claim).body == "line one\nline two"


def _options(html: str, name: str) -> list[str]:
    """The texts of the options of the select ``name`` in ``html``."""
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [t.strip() for t in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


def test_the_admin_offers_as_assignees_only_people_who_can_work_claims(client):
    """The claim's "Assignee" and the bulk "Assign to" listed the viewers too, and
    choosing one was then refused ("viewer cannot work claims ...")."""
    claim = ClaimFactory(assignee=checker(username="ana"))
    viewer(username="victor")
    login(client, editor(username="eda"))
    html = client.get(change_url(claim)).content.decode()
    assert _options(html, "assignee") == ["---------", "ana", "eda"]
    bulk = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "bulk_assign", "_selected_action": [claim.pk]},
    ).content.decode()
    assert _options(bulk, "assignee") == ["Choose a person", "ana", "eda", "Nobody: unassign them"]


def test_an_assignee_whose_role_was_reduced_stays_shown_on_their_claim(client):
    """Not offered to anyone else, but the claim's form keeps them (a save of its
    other fields is no reassignment)."""
    claim = ClaimFactory(assignee=checker(username="ana"))
    claim.assignee.groups.clear()
    claim.assignee.groups.add(*viewer().groups.all())
    login(client, editor(username="eda"))
    assert _options(client.get(change_url(claim)).content.decode(), "assignee") == [
        "---------",
        "ana",
        "eda",
    ]
    resp = client.post(change_url(claim), form_data(claim, priority=1))
    assert resp.status_code == 302
    claim.refresh_from_db()
    assert claim.priority == 1 and claim.assignee.username == "ana"
