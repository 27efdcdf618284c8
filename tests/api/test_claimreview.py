"""schema.org ClaimReview export, checked field by field and expanded as JSON-LD."""

from datetime import UTC, datetime

import pytest
from pyld import jsonld

from claims.claimreview import shorten
from claims.workflow import claim_publish, claim_transition
from tests.api.conftest import error_of
from tests.factories import ArticleFactory, ClaimFactory, editor

pytestmark = pytest.mark.django_db
SCHEMA = "https://schema.org/"
LONG = (
    "Another opposition group said that as many as hundreds of people had been killed in the "
    "central city of Homs"
)


def offline_loader(url, options=None):
    """The machine has no internet: serve schema.org's context from here. A minimal
    context (every term in the schema.org vocabulary) is enough to expand the terms
    we use; @type values are vocabulary-relative too."""
    if url.rstrip("/") not in {"https://schema.org", "http://schema.org"}:
        raise jsonld.JsonLdError(f"no network for {url}", "loading document failed")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA}},
    }


def expand(document) -> list:
    return jsonld.expand(document, {"documentLoader": offline_loader})


PUBLIC_SUMMARY = "Hospital records show 12 deaths, not hundreds."


def public_url(claim) -> str:
    return f"https://factcheck.example/homs-{claim.pk}"


def give_verdict(claim, verdict="false", note="Internal: rang the hospital, see notes."):
    """A verdict with its published fact-check (URL and public summary)."""
    user = editor()
    claim_transition(
        claim=claim, to_status="in_progress", user=user, expected_version=claim.version
    )
    claim_transition(
        claim=claim, to_status=verdict, user=user, note=note, expected_version=claim.version
    )
    claim_publish(
        claim=claim,
        user=user,
        expected_version=claim.version,
        public_url=public_url(claim),
        public_summary=PUBLIC_SUMMARY,
    )
    return claim


@pytest.fixture
def article():
    return ArticleFactory(
        title="Russia says Assad isn't leaving",
        author="Ellen Barry",
        publication="New York Times",
        source_url="https://news.example/assad",
        published_at=datetime(2012, 12, 29, 19, 19, tzinfo=UTC),
    )


@pytest.fixture
def claim(article):
    return give_verdict(
        ClaimFactory(
            article=article,
            text=LONG,
            source_text="Another opposition group",
            source_type="unnamed",
            sourcing_strength="weak",
        )
    )


def test_claim_review_fields(api_as, claim, article, settings):
    r = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "ClaimReview"
    assert len(doc["claimReviewed"]) < 75 and doc["claimReviewed"].endswith("\u2026")
    assert LONG.startswith(doc["claimReviewed"][:-1])
    assert doc["claimReviewed"][:-1] == LONG[: len(doc["claimReviewed"]) - 1]  # word boundary
    assert LONG[len(doc["claimReviewed"]) - 1] == " "
    assert doc["url"] == public_url(claim)  # the published fact-check, not the dashboard
    assert doc["author"] == {
        "@type": "Organization",
        "name": settings.CLAIMREVIEW_PUBLISHER["name"],
        "url": settings.CLAIMREVIEW_PUBLISHER["url"],
    }
    verdict = claim.status_changes.get(to_status="false")
    assert doc["datePublished"] == verdict.created_at.date().isoformat()
    assert doc["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
        "ratingExplanation": PUBLIC_SUMMARY,
    }
    assert doc["reviewBody"] == PUBLIC_SUMMARY
    assert "Internal" not in r.content.decode()  # the verdict's rationale stays inside
    item = doc["itemReviewed"]
    assert item["@type"] == "Claim"
    # An unnamed source ("another opposition group") is nobody schema.org can name.
    assert "author" not in item
    assert item["datePublished"] == "2012-12-29"
    assert item["appearance"] == {
        "@type": "NewsArticle",
        "headline": "Russia says Assad isn't leaving",
        "url": "https://news.example/assad",
        "datePublished": "2012-12-29T19:19:00+00:00",
        "author": {"@type": "Person", "name": "Ellen Barry"},
        "publisher": {"@type": "Organization", "name": "New York Times"},
    }


def test_claim_review_is_valid_json_ld(api_as, claim):
    doc = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").json()
    [node] = expand(doc)
    assert node["@type"] == [SCHEMA + "ClaimReview"]
    rating = node[SCHEMA + "reviewRating"][0]
    assert rating["@type"] == [SCHEMA + "Rating"]
    assert rating[SCHEMA + "ratingValue"] == [{"@value": 1}]
    assert rating[SCHEMA + "alternateName"] == [{"@value": "False"}]
    item = node[SCHEMA + "itemReviewed"][0]
    assert item["@type"] == [SCHEMA + "Claim"]
    assert item[SCHEMA + "appearance"][0]["@type"] == [SCHEMA + "NewsArticle"]
    assert node[SCHEMA + "claimReviewed"][0]["@value"] == doc["claimReviewed"]


@pytest.mark.parametrize(
    "verdict, value, name",
    [("verified", 5, "True"), ("misleading", 2, "Misleading"), ("inconclusive", 3, "Unproven")],
)
def test_rating_comes_from_the_setting(api_as, article, verdict, value, name):
    claim = give_verdict(ClaimFactory(article=article), verdict=verdict)
    rating = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").json()["reviewRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (value, name)


def test_rating_map_and_publisher_are_settings(api_as, claim, settings):
    settings.CLAIMREVIEW_RATINGS = {
        **settings.CLAIMREVIEW_RATINGS,
        "false": {"ratingValue": 0, "alternateName": "Pants on fire"},
    }
    settings.CLAIMREVIEW_WORST_RATING = 0
    settings.CLAIMREVIEW_PUBLISHER = {"name": "Daily Check", "url": ""}
    doc = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").json()
    assert doc["reviewRating"]["alternateName"] == "Pants on fire"
    assert doc["reviewRating"]["worstRating"] == 0
    assert doc["author"] == {"@type": "Organization", "name": "Daily Check"}


def test_the_latest_verdict_sets_the_date_and_the_public_summary_the_explanation(api_as, claim):
    user = editor()
    claim_transition(
        claim=claim,
        to_status="in_progress",
        user=user,
        note="new evidence",
        expected_version=claim.version,
    )
    claim_transition(
        claim=claim,
        to_status="false",
        user=user,
        note="Still false: see court file.",
        expected_version=claim.version,
    )
    claim_publish(
        claim=claim,
        user=user,
        expected_version=claim.version,
        public_url=public_url(claim),
        public_summary="Still false: the court file says 12.",
    )
    doc = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").json()
    assert doc["reviewRating"]["ratingExplanation"] == "Still false: the court file says 12."
    latest = claim.status_changes.filter(to_status="false").last()
    assert doc["datePublished"] == latest.created_at.date().isoformat()


@pytest.mark.parametrize("status", ["unstarted", "in_progress", "dismissed"])
def test_a_claim_without_a_verdict_is_404(api_as, status):
    claim = ClaimFactory(status=status)
    r = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_article_claim_reviews_are_a_graph_of_its_verdicts(api_as, article, claim):
    other = give_verdict(
        ClaimFactory(article=article, source_type="none", source_text=""),
        verdict="verified",
        note="Confirmed.",
    )
    ClaimFactory(article=article)  # no verdict: not in the graph
    give_verdict(ClaimFactory())  # another article's
    r = api_as("viewer").get(f"/api/v1/articles/{article.pk}/claimreview/")
    assert r.status_code == 200
    doc = r.json()
    assert doc["@context"] == "https://schema.org"
    assert sorted(g["url"] for g in doc["@graph"]) == sorted(public_url(c) for c in (claim, other))
    by_url = {g["url"]: g for g in doc["@graph"]}
    # A claim the article makes itself: its publication is the author.
    assert by_url[public_url(other)]["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "New York Times",
    }
    assert len(expand(doc)) == 2


def test_article_without_verdicts_is_an_empty_graph(api_as, article):
    doc = api_as("viewer").get(f"/api/v1/articles/{article.pk}/claimreview/").json()
    assert doc["@graph"] == []


def test_json_ld_media_type_on_request(api_as, claim):
    r = api_as("viewer").get(
        f"/api/v1/claims/{claim.pk}/claimreview/", HTTP_ACCEPT="application/ld+json"
    )
    assert r["Content-Type"].startswith("application/ld+json")


def test_the_documented_format_parameter_picks_the_media_type(api_as, claim):
    r = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/", {"format": "jsonld"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/ld+json")


@pytest.mark.parametrize("path", ["claims/{claim}/claimreview/", "articles/{article}/claimreview/"])
def test_an_unknown_format_is_a_400_naming_the_formats_not_a_404(api_as, claim, path):
    """?format=ld (the schema lists json and jsonld) answered 404 "Not found.", as if
    the claim did not exist."""
    url = "/api/v1/" + path.format(claim=claim.pk, article=claim.article_id)
    r = api_as("viewer").get(url, {"format": "ld"})
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "invalid"
    assert list(error["details"]) == ["format"]
    assert "json" in error["message"] and "jsonld" in error["message"]


def test_the_schema_lists_the_400_of_a_bad_format(api_as):
    schema = api_as("viewer").get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/claims/{id}/claimreview/", "/api/v1/articles/{id}/claimreview/"):
        assert "400" in schema["paths"][path]["get"]["responses"], path


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Short claim.", "Short claim."),
        ("x" * 74, "x" * 74),
        ("x" * 80, "x" * 73 + "\u2026"),
        ("word " * 20, " ".join(["word"] * 14) + "\u2026"),  # 15 words need 75
        ("The dam, " + "y" * 70, "The dam\u2026"),
        ("  spaced\n out  ", "spaced out"),
    ],
)
def test_shorten(text, expected):
    assert shorten(text) == expected
    assert len(shorten(text)) < 75


# --- The published fact-check is required; the author is typed from the source -------


def verdict_without_public(article=None, **kw):
    user = editor()
    claim = ClaimFactory(**({"article": article} if article else {}), **kw)
    claim_transition(claim=claim, to_status="in_progress", user=user, expected_version=1)
    claim_transition(claim=claim, to_status="false", user=user, note="n", expected_version=2)
    return claim


@pytest.mark.parametrize("missing", ["public_url", "public_summary", "both"])
def test_no_claim_review_without_the_published_fact_check(api_as, missing):
    claim = verdict_without_public()
    values = {"public_url": "https://factcheck.example/x", "public_summary": "Twelve, not 100."}
    for name in ("public_url", "public_summary") if missing == "both" else (missing,):
        values[name] = ""
    claim_publish(claim=claim, user=editor(), expected_version=claim.version, **values)
    r = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert r.status_code == 422, r.content
    assert error_of(r)["code"] == "claimreview_incomplete"
    assert f"#{claim.pk}" in error_of(r)["message"] and "public URL" in error_of(r)["message"]


def test_an_article_graph_is_refused_naming_the_claims_without_it(api_as, article, claim):
    bare = verdict_without_public(article)
    r = api_as("viewer").get(f"/api/v1/articles/{article.pk}/claimreview/")
    assert r.status_code == 422 and f"#{bare.pk}" in error_of(r)["message"]
    assert f"#{claim.pk}" not in error_of(r)["message"]


def test_an_article_graph_refusal_lists_the_claims_in_its_details(api_as, article):
    # A script publishing an article's fact-checks needs the claims to complete: the
    # ids were only in the English message ("claim #13, #14 needs its public URL").
    first, second = verdict_without_public(article), verdict_without_public(article)
    r = api_as("viewer").get(f"/api/v1/articles/{article.pk}/claimreview/")
    assert r.status_code == 422
    error = error_of(r)
    assert error["details"] == {"claims": [first.pk, second.pk]}
    assert f"claims #{first.pk}, #{second.pk} need their public URL" in error["message"]
    one = api_as("viewer").get(f"/api/v1/claims/{first.pk}/claimreview/")
    assert error_of(one)["details"] == {"claims": [first.pk]}
    assert f"claim #{first.pk} needs its public URL" in error_of(one)["message"]


@pytest.mark.parametrize(
    "source_type, expected",
    [
        ("named_person", "Person"),
        ("named_organization", "Organization"),
        ("government", "Organization"),
        ("unnamed", None),
        ("document", None),
    ],
)
def test_the_author_is_typed_from_the_source_type(api_as, article, source_type, expected):
    claim = give_verdict(
        ClaimFactory(article=article, source_text="Ana Ruiz", source_type=source_type)
    )
    item = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").json()["itemReviewed"]
    if expected is None:
        assert "author" not in item
    else:
        assert item["author"]["@type"] == expected and item["author"]["name"] == "Ana Ruiz"


def test_dates_are_the_newsrooms_days_not_utcs(api_as, settings):
    # A newsroom in Los Angeles: the story ran on 29 December at 7:19 PM there
    # (03:19 UTC on the 30th). The verdict is given now, in a zone where today is
    # another day than in UTC (history rows cannot be back-dated: append-only).
    from django.utils import timezone

    now = timezone.now()
    zone = "Etc/GMT+12" if now.hour < 12 else "Etc/GMT-14"  # UTC-12 or UTC+14
    settings.TIME_ZONE = "America/Los_Angeles"
    article = ArticleFactory(
        publication="Valley Post", published_at=datetime(2012, 12, 30, 3, 19, tzinfo=UTC)
    )
    claim = give_verdict(ClaimFactory(article=article, text=LONG))
    doc = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").json()
    assert doc["itemReviewed"]["datePublished"] == "2012-12-29"
    assert doc["itemReviewed"]["appearance"]["datePublished"].startswith("2012-12-29T19:19")
    settings.TIME_ZONE = zone
    verdict = claim.status_changes.get(to_status="false").created_at
    local_day = timezone.localdate(verdict)
    assert local_day != verdict.astimezone(UTC).date()
    doc = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").json()
    assert doc["datePublished"] == local_day.isoformat()
