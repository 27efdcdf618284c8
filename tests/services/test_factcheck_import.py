"""Importing published fact-checks (ClaimReview) into the library: every shape,
broken input reported line by line with nothing written, idempotent re-import,
URLs through the hardened fetch, and our own verdicts in the library."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command

from claims.models import FactCheck, FactCheckOrigin
from claims.selectors import factcheck_list
from claims.services.factcheck_documents import Document, factcheck_key
from claims.services.factchecks import (
    FactCheckImportError,
    FactCheckNotPermitted,
    factcheck_sync_ours,
    factchecks_import,
)
from claims.workflow import claim_transition
from tests.factories import ClaimFactory, checker, editor, viewer

from .conftest import Page

pytestmark = pytest.mark.django_db


def review(n: int = 1, **over) -> dict:
    node = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://factcheck.example/reviews/{n}",
        "claimReviewed": f"The dam passed its last inspection ({n}).",
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Ana Ruiz"},
        },
        "author": {"@type": "Organization", "name": "Fact Desk", "url": "https://fd.example"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": "2",
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Mostly false",
        },
        "datePublished": "2026-03-04",
        "inLanguage": "en",
    }
    node.update(over)
    return node


def run(*docs: tuple[str, object]):
    return factchecks_import(documents=[Document(n, c) for n, c in docs], user=None)


def test_a_single_object_stores_every_field():
    result = run(("one.json", json.dumps(review())))
    assert (result.created, result.updated) == (1, 0)
    fc = FactCheck.objects.get()
    assert fc.claim_text == "The dam passed its last inspection (1)."
    assert fc.claimant == "Ana Ruiz"
    assert (fc.rating, fc.rating_value, fc.rating_best, fc.rating_worst) == (
        "Mostly false",
        2.0,
        5.0,
        1.0,
    )
    assert (fc.publisher, fc.publisher_url) == ("Fact Desk", "https://fd.example")
    assert fc.url == "https://factcheck.example/reviews/1"
    assert fc.language == "en"
    assert fc.reviewed_at.isoformat() == "2026-03-04T00:00:00+00:00"
    assert fc.origin == FactCheckOrigin.IMPORTED
    assert fc.key == factcheck_key(fc.url, fc.claim_text)
    assert fc.document["claimReviewed"] == fc.claim_text


def test_a_list_an_graph_and_a_feed():
    graph = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "Organization", "name": "Fact Desk"}, review(2), review(3)],
    }
    feed = {
        "@context": ["https://schema.org", "http://schema.googleapis.com"],
        "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [review(4)]},
            {"@type": "DataFeedItem", "item": review(5)},
        ],
    }
    result = run(
        ("list.json", json.dumps([review(1), review(6)])),
        ("graph.jsonld", json.dumps(graph)),
        ("feed.json", json.dumps(feed)),
    )
    assert result.created == 6
    assert FactCheck.objects.count() == 6


def test_an_html_page_with_json_ld():
    page = (
        "<!doctype html><html><head><title>Check</title>"
        '<script type="application/ld+json">'
        + json.dumps({"@type": "WebSite", "name": "Fact Desk"})
        + '</script><script type="application/ld+json">'
        + json.dumps(review(7))
        + "</script></head><body><p>Our check.</p></body></html>"
    )
    assert run(("page.html", page)).created == 1
    assert FactCheck.objects.get().url.endswith("/7")


def test_an_html_page_with_a_tag_of_thousands_of_attributes_is_a_problem_at_once():
    """The HTML parser's time grows with the square of one tag's attributes: such a
    page is reported, not parsed for minutes inside the request."""
    page = (
        '<html><head><title>Check</title><script type="application/ld+json">'
        + json.dumps(review(7))
        + "</script></head><body><p "
        + " ".join(f"a{i}" for i in range(30_000))
        + ">Our check.</p></body></html>"
    )
    started = time.monotonic()
    with pytest.raises(FactCheckImportError) as caught:
        run(("page.html", page))
    assert time.monotonic() - started < 5
    (problem,) = caught.value.problems
    assert problem.document == "page.html" and "more than 200 attributes" in problem.reason
    assert FactCheck.objects.count() == 0


def test_json_lines_and_the_fact_check_tools_shape():
    lines = "\n".join(json.dumps(review(n)) for n in (1, 2, 3)) + "\n"
    tools = {
        "claims": [
            {
                "text": "Forty homes flooded.",
                "claimant": "Residents",
                "claimReview": [
                    {
                        "publisher": {"name": "Other Desk", "site": "other.example"},
                        "url": "https://other.example/check/1",
                        "textualRating": "False",
                        "languageCode": "en",
                        "reviewDate": "2026-02-01T10:00:00Z",
                    }
                ],
            }
        ]
    }
    result = run(("reviews.jsonl", lines), ("api.json", json.dumps(tools)))
    assert result.created == 4
    other = FactCheck.objects.get(publisher="Other Desk")
    assert (other.rating, other.claimant) == ("False", "Residents")


def test_re_import_updates_and_adds_nothing():
    run(("a.json", json.dumps([review(1), review(2)])))
    first = {fc.key: fc.pk for fc in FactCheck.objects.all()}
    changed = review(2, reviewRating={"alternateName": "False", "ratingValue": 1})
    result = run(("a.json", json.dumps([review(1), changed])))
    assert (result.created, result.updated) == (0, 2)
    assert {fc.key: fc.pk for fc in FactCheck.objects.all()} == first
    assert FactCheck.objects.get(url__endswith="/2").rating == "False"


BROKEN = [
    ("bad JSON line", "b.jsonl", None, "line 2", "not valid JSON"),
    ("missing claimReviewed", "b.json", {"claimReviewed": ""}, "item 2", "claimReviewed"),
    ("wrong @type", "b.json", {"@type": "Review"}, "item 2", "not ClaimReview"),
    ("bad URL", "b.json", {"url": "javascript:alert(1)"}, "item 2", "is not an http"),
    ("bad date", "b.json", {"datePublished": "last Tuesday"}, "item 2", "datePublished"),
    ("bad rating", "b.json", {"reviewRating": {"ratingValue": "two"}}, "item 2", "not a number"),
]


@pytest.mark.parametrize("case,name,change,where,reason", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_item_is_reported_where_it_is_and_nothing_is_written(
    case, name, change, where, reason
):
    if name.endswith(".jsonl"):
        content = json.dumps(review(1)) + "\n{not json\n" + json.dumps(review(3)) + "\n"
    else:
        content = json.dumps([review(1), review(2, **change), review(3)])
    with pytest.raises(FactCheckImportError) as caught:
        run(("good.json", json.dumps(review(9))), (name, content))
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    assert (problems[0].document, problems[0].where) == (name, where)
    assert reason in problems[0].reason
    assert FactCheck.objects.count() == 0  # not even the good file


def test_every_problem_is_reported_not_only_the_first():
    content = json.dumps([review(1, url="nope"), review(2), review(3, claimReviewed=None)])
    with pytest.raises(FactCheckImportError) as caught:
        run(("many.json", content))
    assert [p.where for p in caught.value.problems] == ["item 1", "item 3"]


def test_a_json_syntax_error_names_its_line_and_an_empty_page_says_so():
    with pytest.raises(FactCheckImportError) as caught:
        run(("x.json", '[\n{"@type": "ClaimReview",\n oops}\n]'), ("page.html", "<html></html>"))
    first, second = caught.value.problems
    assert first.where.startswith("line 3") and "not valid JSON" in first.reason
    assert second.document == "page.html" and "no ClaimReview" in second.reason


def test_the_command_imports_files_and_lists_problems(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(review(n)) for n in range(1, 6)))
    out = io.StringIO()
    call_command("import_claimreviews", str(good), stdout=out)
    assert "5 review(s) from 1 document(s): 5 new, 0 updated" in out.getvalue()
    call_command("import_claimreviews", str(good), stdout=io.StringIO())
    assert FactCheck.objects.count() == 5

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([review(7, datePublished="31/12/2026")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_claimreviews", str(bad), stdout=io.StringIO(), stderr=err)
    assert "bad.json, item 1: datePublished '31/12/2026'" in err.getvalue()
    assert FactCheck.objects.count() == 5


def test_the_command_fetches_urls_through_the_hardened_fetch(local_http, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = True  # the test server is on 127.0.0.1
    local_http.pages["/feed.json"] = Page(json.dumps([review(1)]).encode(), 200, "application/json")
    call_command("import_claimreviews", local_http.url("/feed.json"), stdout=io.StringIO())
    assert FactCheck.objects.count() == 1


def test_a_private_url_is_refused_and_nothing_is_written(settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_claimreviews", "http://127.0.0.1:9/feed.json", stdout=io.StringIO(), stderr=err
        )
    assert "private or local address" in err.getvalue()
    assert FactCheck.objects.count() == 0


def test_a_file_of_a_thousand_reviews(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(json.dumps(review(n)) for n in range(1000)))
    out = io.StringIO()
    call_command("import_claimreviews", str(path), stdout=out)
    assert FactCheck.objects.count() == 1000
    assert "writing reviews: 1000 of 1000" in out.getvalue()


# --- Our own verdicts ----------------------------------------------------------------


def test_a_published_verdict_is_in_the_library_and_leaves_it_when_reopened():
    boss = editor()
    claim = ClaimFactory(
        status="in_progress",
        public_url="https://news.example/check/1",
        public_summary="The records show 12, not 40.",
        start=30,
    )
    claim_transition(
        claim=claim, to_status="false", user=boss, note="Records", expected_version=claim.version
    )
    ours = FactCheck.objects.get(claim=claim)
    assert claim.text.strip()
    assert ours.origin == FactCheckOrigin.OURS
    assert ours.url == "https://news.example/check/1"
    assert ours.rating == "False" and ours.claim_text == " ".join(claim.text.split())
    assert factcheck_sync_ours(claim=claim).pk == ours.pk  # idempotent
    assert FactCheck.objects.count() == 1
    claim_transition(
        claim=claim, to_status="in_progress", user=boss, note="New", expected_version=claim.version
    )
    assert not factcheck_list().filter(claim=claim).exists()
    # Kept out of sight, for the matches people decided on it (see below).
    assert FactCheck.objects.get(claim=claim).withdrawn_at is not None


def test_publishing_after_the_verdict_puts_it_in_the_library():
    from claims.workflow import claim_publish

    boss = editor()
    claim = ClaimFactory(status="in_progress", start=30)
    claim_transition(
        claim=claim, to_status="false", user=boss, note="Records", expected_version=claim.version
    )
    assert not FactCheck.objects.exists()  # not published yet
    claim.refresh_from_db()
    claim_publish(
        claim=claim,
        user=boss,
        expected_version=claim.version,
        public_url="https://news.example/check/2",
        public_summary="The records show otherwise.",
    )
    ours = FactCheck.objects.get(claim=claim)
    assert ours.url == "https://news.example/check/2" and ours.rating == "False"


def test_a_verdict_without_a_public_url_is_not_in_the_library():
    boss = editor()
    claim = ClaimFactory(status="in_progress")
    claim_transition(
        claim=claim, to_status="verified", user=boss, note="ok", expected_version=claim.version
    )
    assert not FactCheck.objects.exists()


def test_an_import_leaves_our_own_rows_alone():
    boss = editor()
    claim = ClaimFactory(
        status="in_progress",
        public_url="https://news.example/check/2",
        public_summary="Not so.",
        start=30,
    )
    claim_transition(
        claim=claim, to_status="false", user=boss, note="n", expected_version=claim.version
    )
    copy = review(1, url=claim.public_url, claimReviewed=claim.text)
    result = run(("ours.json", json.dumps(copy)))
    assert (result.created, result.skipped_ours) == (0, 1)
    assert FactCheck.objects.get().origin == FactCheckOrigin.OURS


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar(tmp_path, monkeypatch):
    path = tmp_path / "some.jsonl"
    path.write_text("\n".join(json.dumps(review(n)) for n in range(20)))
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = io.StringIO()
    call_command("import_claimreviews", str(path), stdout=out)
    bars = terminal.getvalue()
    assert "writing reviews: 100%" in bars and "20/20" in bars
    assert "writing reviews: 20 of 20" not in out.getvalue()  # no plain lines on a terminal


@pytest.mark.parametrize("make", [checker, viewer])
def test_the_service_refuses_other_roles(make):
    with pytest.raises(FactCheckNotPermitted):
        factchecks_import(documents=[Document("a.json", json.dumps(review()))], user=make())
    assert not FactCheck.objects.exists()
    assert factchecks_import(documents=[Document("a.json", json.dumps(review()))], user=editor())


def test_a_value_nested_too_deeply_to_walk_is_a_problem(tmp_path):
    # Parsed already (an API body), but deeper than the walk through its lists can go.
    deep: list = [review(1)]
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(FactCheckImportError) as caught:
        run(("body", deep))
    assert [str(p) for p in caught.value.problems] == ["body: the JSON is nested too deeply"]
    # And a file read by the command.
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_claimreviews", str(path), stdout=io.StringIO(), stderr=err)
    assert "deep.json, line 1, column 1: not valid JSON (nested too deeply)" in err.getvalue()
    assert not FactCheck.objects.exists()


UNSTORABLE = [
    ("claim", {"claimReviewed": "\u0000"}, "claimReviewed contains a NUL character (U+0000)"),
    (
        "rating",
        {"reviewRating": {"alternateName": "Fa\u0000lse"}},
        "reviewRating.alternateName contains a NUL character (U+0000)",
    ),
    (
        "claimant",
        {"itemReviewed": {"author": [{"name": "Ana\u0000"}]}},
        "itemReviewed.author[0].name contains a NUL character (U+0000)",
    ),
    ("url", {"url": "https://factcheck.example/\u0000"}, "url contains a NUL character"),
    ("extra", {"reviewBody": "ok", "note\u0000": 1}, "(a key) contains a NUL character"),
    ("surrogate", {"claimReviewed": "The dam \ud800"}, "claimReviewed contains a lone surrogate"),
]


@pytest.mark.parametrize(("case", "change", "reason"), UNSTORABLE, ids=[u[0] for u in UNSTORABLE])
def test_a_nul_or_a_lone_surrogate_is_a_problem_and_nothing_is_written(case, change, reason):
    content = json.dumps([review(1), review(2, **change)])  # "\u0000" as JSON escapes it
    with pytest.raises(FactCheckImportError) as caught:
        run(("nul.json", content))
    [problem] = caught.value.problems
    assert problem.where == "item 2" and reason in problem.reason, problem.reason
    assert problem.reason.endswith("which cannot be stored")
    assert not FactCheck.objects.exists()


def test_the_command_reports_a_nul_and_writes_nothing(tmp_path):
    path = tmp_path / "nul.jsonl"
    path.write_text(json.dumps(review(1)) + "\n" + json.dumps(review(2, claimReviewed="\0")))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_claimreviews", str(path), stdout=io.StringIO(), stderr=err)
    assert "nul.jsonl, line 2: claimReviewed contains a NUL character" in err.getvalue()
    assert not FactCheck.objects.exists()


@pytest.mark.postgres
def test_a_nul_never_reaches_postgresql():
    # PostgreSQL refuses NUL in text and jsonb: the import must stop it first.
    with pytest.raises(FactCheckImportError):
        run(("nul.json", json.dumps(review(1, reviewBody="a\u0000b"))))
    run(("ok.json", json.dumps(review(1))))
    assert FactCheck.objects.get().claim_text.startswith("The dam passed")


def test_the_command_says_when_reading_stopped_at_the_problems_listed(tmp_path, settings):
    settings.FACTCHECK_IMPORT_MAX_PROBLEMS = 2
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("[{}, {}, {}]")
    second.write_text("[{}]")  # not read: the limit was reached in the first file
    err = io.StringIO()
    with pytest.raises(CommandError, match="more than 2 problem"):
        call_command("import_claimreviews", str(first), str(second), stderr=err)
    assert err.getvalue().splitlines() == [
        "a.json, item 1: no @type: expected a ClaimReview",
        "a.json, item 2: no @type: expected a ClaimReview",
    ]


def test_a_limit_of_no_problems_listed_still_refuses_the_import(settings):
    settings.FACTCHECK_IMPORT_MAX_PROBLEMS = 0
    with pytest.raises(FactCheckImportError, match="more than 1 problem"):
        run(("a.json", json.dumps([review(1), {}, {}])))
    assert not FactCheck.objects.exists()


@pytest.mark.parametrize(
    "when",
    [
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:00:00+05:00",
        # Dates in UTC, but not in the newsroom's zone (TIME_ZONE), where every page
        # shows them: year 10000 in Tokyo, year 0 in Los Angeles.
        "9999-12-31T23:00:00+00:00",
        "0001-01-01",
    ],
)
def test_a_date_past_the_calendar_in_utc_is_a_problem_and_nothing_is_written(when):
    # Stored, it is year 10000 (or year 0) in UTC: no datetime reads it back, and
    # the library's list, the admin and every page showing a match to it broke (500).
    with pytest.raises(FactCheckImportError) as caught:
        run(("odd.json", json.dumps([review(1), review(2, datePublished=when)])))
    [problem] = caught.value.problems
    assert problem.where == "item 2" and "datePublished" in problem.reason
    assert not FactCheck.objects.exists()


def _published_verdict(claim, boss, url: str, status: str = "false"):
    from claims.workflow import claim_publish

    claim_transition(
        claim=claim, to_status=status, user=boss, note="Checked", expected_version=claim.version
    )
    claim_publish(
        claim=claim,
        user=boss,
        expected_version=claim.version,
        public_url=url,
        public_summary="The records show otherwise.",
    )


def test_one_review_published_for_two_copies_of_a_claim_keeps_both_in_the_library():
    # A wire copy in two articles, the same text; the desk publishes one fact-check
    # page for both. The second claim's row took the first's key, and deleted it.
    boss = editor()
    first = ClaimFactory(status="in_progress", start=30)
    copy = ClaimFactory(status="in_progress", text=first.text, start=30)
    assert first.article_id != copy.article_id
    url = "https://news.example/check/wire"
    _published_verdict(first, boss, url)
    _published_verdict(copy, boss, url)
    assert set(FactCheck.objects.values_list("claim_id", flat=True)) == {first.pk, copy.pk}
    assert factcheck_sync_ours(claim=first).claim_id == first.pk  # idempotent, both ways
    assert factcheck_sync_ours(claim=copy).claim_id == copy.pk
    assert FactCheck.objects.count() == 2
    # Reopening one leaves the other's row as it is.
    first.refresh_from_db()
    claim_transition(
        claim=first, to_status="in_progress", user=boss, note="New", expected_version=first.version
    )
    assert list(factcheck_list().values_list("claim_id", flat=True)) == [copy.pk]
    # An import of the review is still recognised as ours, not stored as a copy.
    result = run(("ours.json", json.dumps(review(1, url=url, claimReviewed=first.text))))
    assert (result.created, result.skipped_ours) == (0, 1)
    assert factcheck_list().get().claim_id == copy.pk
    # Given its verdict again, the first keeps its row, under a key of its own.
    first.refresh_from_db()
    claim_transition(
        claim=first, to_status="false", user=boss, note="Again", expected_version=first.version
    )
    assert factcheck_list().count() == 2
    assert FactCheck.objects.get(claim=copy).key == factcheck_key(url, copy.text)


def test_an_imported_copy_of_our_review_becomes_our_row_with_its_id_and_matches():
    # The desk imports its own site's ClaimReview feed before the verdict is in the
    # tracker: the imported row became ours by being deleted, and every match to it
    # (editors' confirmations and rejections) went with it.
    from claims.models import ClaimMatch

    boss = editor()
    claim = ClaimFactory(status="in_progress", start=30)
    url = "https://news.example/check/feed"
    run(("feed.json", json.dumps(review(1, url=url, claimReviewed=claim.text))))
    imported = FactCheck.objects.get()
    other = ClaimFactory()
    rejected = ClaimMatch.objects.create(
        claim=other, matched_factcheck=imported, score=0.9, state="rejected"
    )
    _published_verdict(claim, boss, url)
    ours = FactCheck.objects.get()
    assert (ours.pk, ours.origin, ours.claim_id) == (imported.pk, FactCheckOrigin.OURS, claim.pk)
    assert ClaimMatch.objects.filter(pk=rejected.pk, matched_factcheck=ours).exists()


def test_the_command_recorded_as_a_user_who_may_not_import_says_so(tmp_path):
    # Before: a FactCheckNotPermitted traceback.
    viewer(username="vera")
    path = tmp_path / "one.json"
    path.write_text(json.dumps(review(1)))
    with pytest.raises(CommandError, match="vera.*cannot import|may not import"):
        call_command("import_claimreviews", str(path), "--user", "vera", stdout=io.StringIO())
    assert not FactCheck.objects.exists()


def test_an_imported_copy_that_becomes_ours_keeps_the_review_key():
    # The adopted row had no claim in the database yet, so it was taken for another
    # claim's row of the same review and given a key of its own: the next import of
    # the feed no longer knew the review as ours and added it again.
    boss = editor()
    claim = ClaimFactory(status="in_progress", start=30)
    url = "https://news.example/check/feed"
    feed = ("feed.json", json.dumps(review(1, url=url, claimReviewed=claim.text)))
    run(feed)
    _published_verdict(claim, boss, url)
    assert FactCheck.objects.get().key == factcheck_key(url, claim.text)
    result = run(feed)
    assert (result.created, result.skipped_ours) == (0, 1)
    assert FactCheck.objects.count() == 1


def test_the_key_is_handed_over_when_its_holder_moves_to_another_url():
    # Two copies published at one URL; the first (holding the review's key) is then
    # published at a page of its own. The key went with it to nobody: the review at
    # the shared URL, still the second copy's, came back from an import as a copy.
    from claims.workflow import claim_publish

    boss = editor()
    first = ClaimFactory(status="in_progress", start=30)
    copy = ClaimFactory(status="in_progress", text=first.text, start=30)
    url = "https://news.example/check/wire"
    _published_verdict(first, boss, url)
    _published_verdict(copy, boss, url)
    first.refresh_from_db()
    claim_publish(
        claim=first,
        user=boss,
        expected_version=first.version,
        public_url="https://news.example/check/first-own",
        public_summary="The records show otherwise.",
    )
    assert FactCheck.objects.get(claim=copy).key == factcheck_key(url, copy.text)
    result = run(("ours.json", json.dumps(review(1, url=url, claimReviewed=first.text))))
    assert (result.created, result.skipped_ours) == (0, 1)
    assert FactCheck.objects.count() == 2


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_a_date_near_the_calendar_s_ends_shows_in_the_newsroom_s_zone(client, settings, zone):
    from django.urls import reverse

    settings.TIME_ZONE = zone
    run(
        (
            "a.json",
            json.dumps(
                [review(1, datePublished="9999-12-30"), review(2, datePublished="0001-01-02")]
            ),
        )
    )
    client.force_login(editor())
    assert client.get(reverse("admin:claims_factcheck_changelist")).status_code == 200


def test_reopening_a_published_verdict_keeps_the_match_decisions_made_against_it(client):
    # Reopening deleted our row from the library, and with it (CASCADE) every match
    # editors had confirmed or rejected against it; published again, the verdict was
    # a new row, its matches suggested afresh and decided again by hand.
    from claims.models import ClaimMatch
    from claims.selectors import claim_matches
    from claims.services.matching import (
        claim_match_confirm,
        claim_match_reject,
        claim_matches_find,
    )

    boss = editor()
    claim = ClaimFactory(status="in_progress", text="The county closed 12 bridges in May.")
    _published_verdict(claim, boss, "https://news.example/check/bridges")
    ours = FactCheck.objects.get(claim=claim)
    same, other = ClaimFactory(), ClaimFactory()
    confirmed = ClaimMatch.objects.create(claim=same, matched_factcheck=ours, score=0.9)
    rejected = ClaimMatch.objects.create(claim=other, matched_factcheck=ours, score=0.6)
    claim_match_confirm(match=confirmed, user=boss, note="Same claim")
    claim_match_reject(match=rejected, user=boss, note="Another county")

    claim.refresh_from_db()
    claim_transition(
        claim=claim, to_status="in_progress", user=boss, note="New", expected_version=claim.version
    )
    # Out of the library while it is not published: not listed, its matches not
    # shown, not a candidate for new claims...
    assert not factcheck_list().exists()
    assert claim_matches(claim=same) == [] and claim_matches(claim=other) == []
    client.force_login(boss)
    assert client.get("/api/v1/factchecks/").json()["results"] == []
    assert client.get(f"/api/v1/claims/{same.pk}/matches/").json() == []
    repeat = ClaimFactory(text=claim.text)
    claim_matches_find(claim_ids=[repeat.pk])
    assert not ClaimMatch.objects.filter(claim=repeat, matched_factcheck__isnull=False).exists()
    # ...but the decisions people made are kept.
    assert ClaimMatch.objects.filter(pk__in=[confirmed.pk, rejected.pk]).count() == 2

    # Given its verdict again: the same row, with the decisions made on it.
    claim.refresh_from_db()
    claim_transition(
        claim=claim, to_status="false", user=boss, note="Again", expected_version=claim.version
    )
    again = factcheck_list().get()
    assert (again.pk, again.claim_id, again.key) == (ours.pk, claim.pk, ours.key)
    assert [(v.match.pk, v.match.state) for v in claim_matches(claim=same)] == [
        (confirmed.pk, "confirmed")
    ]
    assert [(v.match.pk, v.match.state) for v in claim_matches(claim=other)] == [
        (rejected.pk, "rejected")
    ]
    assert [m["state"] for m in client.get(f"/api/v1/claims/{same.pk}/matches/").json()] == [
        "confirmed"
    ]


def test_an_import_of_our_review_while_it_is_withdrawn_gives_its_matches_to_our_row():
    # Reopened, our row lets the review's key go: the site's feed imported meanwhile
    # is a copy, matched and decided on; given again, the verdict's row takes the
    # copy's place and its decisions, rather than deleting them with it.
    from claims.models import ClaimMatch

    boss = editor()
    claim = ClaimFactory(status="in_progress", start=30)
    url = "https://news.example/check/feed"
    _published_verdict(claim, boss, url)
    ours = FactCheck.objects.get()
    claim.refresh_from_db()
    claim_transition(
        claim=claim, to_status="in_progress", user=boss, note="New", expected_version=claim.version
    )
    result = run(("feed.json", json.dumps(review(1, url=url, claimReviewed=claim.text))))
    assert result.created == 1
    copy = factcheck_list().get()
    decided = ClaimMatch.objects.create(
        claim=ClaimFactory(), matched_factcheck=copy, score=0.9, state="rejected"
    )
    claim.refresh_from_db()
    claim_transition(
        claim=claim, to_status="false", user=boss, note="Again", expected_version=claim.version
    )
    assert list(factcheck_list().values_list("pk", "key")) == [
        (ours.pk, factcheck_key(url, claim.text))
    ]
    assert ClaimMatch.objects.get(pk=decided.pk).matched_factcheck_id == ours.pk


def test_a_decision_on_the_import_beats_a_suggestion_on_our_withdrawn_row():
    # A claim matched to both rows: suggested against our withdrawn row (before the
    # reopen), confirmed against the import made meanwhile. Given again, our row took
    # the copy's matches but for the claims it had a match of its own for: the
    # person's confirmation went with the copy, a bare suggestion stayed.
    from claims.models import ClaimMatch

    boss = editor()
    claim = ClaimFactory(status="in_progress", start=30)
    url = "https://news.example/check/both"
    _published_verdict(claim, boss, url)
    ours = FactCheck.objects.get()
    same = ClaimFactory()
    ClaimMatch.objects.create(claim=same, matched_factcheck=ours, score=0.8)
    claim.refresh_from_db()
    claim_transition(
        claim=claim, to_status="in_progress", user=boss, note="New", expected_version=claim.version
    )
    run(("feed.json", json.dumps(review(1, url=url, claimReviewed=claim.text))))
    copy = factcheck_list().get()
    ClaimMatch.objects.create(claim=same, matched_factcheck=copy, score=0.9, state="confirmed")
    claim.refresh_from_db()
    claim_transition(
        claim=claim, to_status="false", user=boss, note="Again", expected_version=claim.version
    )
    (kept,) = ClaimMatch.objects.filter(claim=same)
    assert (kept.matched_factcheck_id, kept.state) == (ours.pk, "confirmed")
