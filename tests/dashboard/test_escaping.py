"""A hostile article shows its markup as text on every page."""

import pytest
from django.urls import reverse

from claims.models import HedgeCue
from claims.workflow import claim_publish, claim_set_notes, claim_transition, evidence_add
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = (
    f"Hostile {SCRIPT} headline\n\n"
    f"The mayor said {IMG} was fine on Monday. "
    f"Officials said as many as <b>40</b> homes {SCRIPT} flooded."
)


@pytest.fixture
def hostile(client_as):
    worker = client_as("editor").user
    article = ArticleFactory(raw_text=HOSTILE, title=f"Hostile {SCRIPT} headline", body_offset=0)
    first_start = HOSTILE.index(IMG)
    first = ClaimFactory(
        article=article,
        start=first_start,
        end=HOSTILE.index(" on Monday"),
        sentence_start=HOSTILE.index("The mayor"),
        sentence_end=HOSTILE.index("Monday.") + 7,
        source_text=f"The mayor {IMG}",
        source_start=HOSTILE.index("The mayor"),
        source_end=HOSTILE.index("The mayor") + 9,
        confidence_level="very_low",
        confidence_reasons=[f"reason with {SCRIPT}"],
    )
    second_start = HOSTILE.index("as many as")
    second = ClaimFactory(
        article=article,
        start=second_start,
        end=HOSTILE.index(" flooded") + 8,
        sentence_start=HOSTILE.index("Officials"),
        sentence_end=len(HOSTILE),
        confidence_level="low",
    )
    HedgeCue.objects.create(
        claim=second, text="as many as", category="approximator", start=second_start,
        end=second_start + 10,
    )  # fmt: skip
    claim_set_notes(claim=first, notes=f"notes {IMG}", user=worker, expected_version=1)
    claim_transition(claim=first, to_status="in_progress", user=worker, expected_version=2)
    claim_transition(
        claim=first, to_status="false", user=worker, note=f"verdict {SCRIPT}", expected_version=3
    )
    claim_publish(
        claim=first,
        user=worker,
        expected_version=4,
        public_url="https://factcheck.example/mayor",
        public_summary=f"public {SCRIPT} {IMG}",
    )
    evidence_add(claim=first, url="https://example.org/a?q=<b>", note=f"ev {IMG}", user=worker)
    return first, second


def assert_safe(html: str, url: str):
    assert SCRIPT not in html, url
    assert IMG not in html, url
    assert "<b>40</b>" not in html, url
    assert "onerror=alert(1)&gt;" in html or "onerror=alert(1)" not in html, url


def test_hostile_text_is_escaped_on_every_page(client_as, hostile):
    first, second = hostile
    client = client_as("editor")
    urls = [
        reverse("dashboard:queue"),
        reverse("dashboard:queue") + "?q=mayor",
        reverse("dashboard:queue") + "?view=all",
        reverse("dashboard:queue") + "?view=done&sort=due",
        reverse("dashboard:articles"),
        reverse("dashboard:overview"),
        reverse("dashboard:article", args=[first.article_id]),
        reverse("dashboard:article", args=[first.article_id]) + f"?claim={first.pk}",
        reverse("dashboard:article-text", args=[first.article_id]),
        reverse("dashboard:claim", args=[first.pk]),
        reverse("dashboard:claim", args=[second.pk]),
        reverse("dashboard:claim-panel", args=[first.pk]),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert_safe(html, url)


def test_the_markup_is_shown_as_text(client_as, hostile):
    first, _ = hostile
    client = client_as("editor")
    article = client.get(reverse("dashboard:article", args=[first.article_id])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "&lt;img src=x onerror=alert(1)&gt;" in article
    claim = client.get(reverse("dashboard:claim", args=[first.pk])).content.decode()
    for shown in ("notes &lt;img", "verdict &lt;script&gt;", "ev &lt;img", "eason with &lt;script"):
        assert shown in claim
    # The first claim has a verdict: the default (open) queue hides it, "All" shows it.
    queue = client.get(reverse("dashboard:queue"), {"view": "all"}).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in queue
    # Its sentence, with the claim marked: the marks are ours, the text is escaped.
    assert (
        '<p class="in-sentence small">The mayor said <mark>&lt;img src=x onerror=alert(1)&gt;'
        " was fine</mark> on Monday.</p>"
    ) in queue


def test_the_overview_shows_the_markup_as_text(client_as, hostile):
    """Its charts and tables are built in Python (claims/views/chart_html.py)."""
    html = client_as("viewer").get(reverse("dashboard:overview")).content.decode()
    title = "Hostile &lt;script&gt;alert(1)&lt;/script&gt; headline"
    assert f">{title}</a></th>" in html  # the per-article table
    assert 'class="chart-label">Hostile &lt;script&gt;alert(1)&lt;…</text>' in html  # its bar
    assert_safe(html, "overview")


def test_claimreview_json_is_escaped_in_the_page(client_as, hostile):
    first, _ = hostile
    html = client_as("viewer").get(reverse("dashboard:claim", args=[first.pk])).content.decode()
    assert '<pre class="json"' in html
    assert_safe(html, "claim")
