"""Issue 12: the queue and the article page cost the same whatever an article's
length (queries and bytes), never load an article's text or analysis blob for a
list, and page by keyset."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim
from claims.templatetags.highlight import claim_pieces
from tests.scale import article_with_claims

pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    return response.content.decode(), sql


def no_blob(sql: list[str]) -> bool:
    return not any("analysis_data" in q for q in sql)


def test_the_queue_is_flat_between_an_article_of_10_and_one_of_2000_claims(client_as):
    client = client_as("editor")
    url = reverse("dashboard:queue") + "?per_page=50"
    article_with_claims(10, title="Short")
    small, small_sql = get(client, url)
    article_with_claims(2000, title="Long")
    large, large_sql = get(client, url)
    assert len(small_sql) == len(large_sql), (small_sql, large_sql)
    assert no_blob(large_sql) and "BLOBMARK" not in large
    # Only the page grows, from 10 rows to 50: never with the article's claims.
    per_row = (len(large) - len(small)) / 40
    assert per_row < 3000, per_row
    assert len(large) < 300_000
    assert large.count('class="claim-link"') == 50


def _article_page(client, article):
    return get(client, reverse("dashboard:article", args=[article.pk]))


def test_the_article_page_is_flat_between_10_and_2000_claims(client_as, settings):
    client = client_as("editor")
    short, short_sql = _article_page(client, article_with_claims(10, title="Short"))
    mid, mid_sql = _article_page(client, article_with_claims(1000, title="Mid"))
    long_article = article_with_claims(2000, title="Long")
    long, long_sql = _article_page(client, long_article)
    assert len(short_sql) == len(mid_sql) == len(long_sql), (short_sql, long_sql)
    assert no_blob(long_sql) and "BLOBMARK" not in long
    # A page of ARTICLE_CLAIMS_PAGE claims: the same bytes for 1,000 and 2,000.
    assert abs(len(long) - len(mid)) < 0.02 * len(mid), (len(mid), len(long))
    assert long.count("data-claim=") == settings.ARTICLE_CLAIMS_PAGE
    assert "Show the rest of the text" in long and "Show the rest" not in short
    assert "2000 claims" in long


def test_show_more_brings_every_claim_and_the_whole_text_once(client_as, settings):
    settings.ARTICLE_CLAIMS_PAGE = 150
    client = client_as("viewer")
    article = article_with_claims(620)
    html, _ = _article_page(client, article)
    seen = re.findall(r'id="claim-(\d+)"', html)
    parts = [html]
    queries = set()
    while match := re.search(r'hx-get="([^"]+/more/[^"]+)"', html):
        html, sql = get(client, match.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
        queries.add(len(sql))
        assert no_blob(sql)
        seen += re.findall(r'id="claim-(\d+)"', html)
        parts.append(html)
    ids = set(Claim.objects.filter(article=article).values_list("pk", flat=True))
    assert len(seen) == len(ids) and {int(i) for i in seen} == ids
    assert len(parts) == 5 and len(queries) == 1  # 150 + 150 + 150 + 150 + 20
    # The text is there once: every sentence number appears in one part only.
    last = parts[-1]
    assert "Officials said 619 dams" in re.sub(r"<[^>]+>", "", last)
    assert 'hx-swap-oob="beforeend:#claim-items"' in last


def test_shown_renders_the_claims_the_reader_had_loaded(client_as, settings, monkeypatch):
    # ?shown=N, which the page's script keeps in the address once "Show the rest"
    # has loaded a part: Back and reload render that many claims again.
    from claims.views import articles

    settings.ARTICLE_CLAIMS_PAGE = 5
    client = client_as("viewer")
    article = article_with_claims(40, blob_kb=1)
    url = reverse("dashboard:article", args=[article.pk])
    cases = [("15", 15), ("3", 5), ("", 5), ("abc", 5), ("-7", 5), ("9" * 30, 5), ("1000", 40)]
    for shown, expected in cases:
        page = client.get(url, {"shown": shown}).content.decode()
        assert page.count("data-claim=") == expected, shown
    page = client.get(url, {"shown": "15"}).content.decode()
    fifteenth = Claim.objects.get(article=article, position=14)
    assert f"/more/?after=14-{fifteenth.pk}&amp;" in page  # "Show the rest" goes on from there
    monkeypatch.setattr(articles, "SHOWN_MAX_PAGES", 2)
    assert client.get(url, {"shown": "1000"}).content.decode().count("data-claim=") == 10


def test_show_more_opened_as_a_page_is_a_page(client_as, settings):
    # Was: "Show the rest of the text and the next claims" is a real link, and
    # opened without htmx (in a new tab, or with the script not loaded) it
    # showed a bare fragment: no header, no navigation, no title, the text run
    # together unstyled.
    settings.ARTICLE_CLAIMS_PAGE = 5
    client = client_as("viewer")
    article = article_with_claims(12)
    html, _ = _article_page(client, article)
    url = re.search(r'<a href="([^"]+/more/[^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(url)
    page = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert "<title>" in page and 'aria-label="Main"' in page
    assert f'href="{reverse("dashboard:article", args=[article.pk])}"' in page
    assert 'id="claim-items"' in page and page.count("data-claim=") == 5
    # Its own link to the next part, which is the rest.
    assert "/more/?after=" in page
    # htmx still gets the fragment.
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<title>" not in fragment and 'hx-swap-oob="beforeend:#claim-items"' in fragment


def test_the_list_stops_saying_first_n_once_every_claim_is_loaded(client_as, settings):
    # Was: with every claim loaded by "Show the rest", the list still ended with
    # "The first 5 of 12: “Show the rest” at the end of the text loads the next
    # ones."
    settings.ARTICLE_CLAIMS_PAGE = 5
    client = client_as("viewer")
    article = article_with_claims(12)
    html, _ = _article_page(client, article)
    assert 'id="claims-more-note"' in html and "12 claims in all" in html
    parts = []
    while match := re.search(r'hx-get="([^"]+/more/[^"]+)"', html):
        html, _ = get(client, match.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
        parts.append(html)
    assert len(parts) == 2
    assert 'hx-swap-oob="delete"' not in parts[0]
    assert '<p id="claims-more-note" hx-swap-oob="delete"></p>' in parts[-1]


def test_more_refuses_what_is_not_a_position(client_as):
    article = article_with_claims(3)
    url = reverse("dashboard:article-more", args=[article.pk])
    client = client_as("viewer")
    assert client.get(url, {"after": "x", "from": "0"}).status_code == 400
    assert client.get(url, {"after": "1-2", "from": ""}).status_code == 400


def test_a_selected_claim_past_the_first_page_opens_in_the_panel(client_as, settings):
    settings.ARTICLE_CLAIMS_PAGE = 5
    article = article_with_claims(12)
    late = Claim.objects.get(article=article, position=11)
    url = reverse("dashboard:article", args=[article.pk]) + f"?claim={late.pk}"
    html = client_as("viewer").get(url).content.decode()
    assert late.text in html.split('id="claim-panel"', 1)[1]


def test_highlight_pieces_are_not_quadratic():
    class C:
        def __init__(self, pk, start, end):
            self.pk, self.start, self.end = pk, start, end

    # Nested and chained overlaps: 20,000 claims (the old scan: 800 million steps).
    claims = [C(i, i * 10, i * 10 + 25) for i in range(20_000)]
    began = time.perf_counter()
    pieces = claim_pieces(claims)
    assert time.perf_counter() - began < 5
    assert pieces[0][:2] == (0, 10) and pieces[0][2].pk == 0
    assert all(a < b for a, b, _, _ in pieces)
    assert all(p[1] <= q[0] for p, q in zip(pieces, pieces[1:], strict=False))


def test_queue_pages_are_keyset_pages_with_every_claim_once(client_as):
    article_with_claims(130)
    client = client_as("viewer")
    # Every status: the open work (the default view) is half of them.
    url = reverse("dashboard:queue") + "?view=all&per_page=25"
    html, _ = get(client, url)
    assert "Showing 1–25 of 130 claims." in html
    seen, pages = [], [html]
    while match := re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html):
        html, sql = get(client, "/?" + match.group(1).replace("&amp;", "&"))
        assert not any(" OFFSET " in q for q in sql)
        pages.append(html)
    for page in pages:
        seen += re.findall(r'name="claims" value="(\d+)"', page) or re.findall(
            r'href="/claims/(\d+)/(?:\?[^"]*)?" class="claim-link"', page
        )
    assert len(pages) == 6 and len(seen) == 130 == len(set(seen))
    assert "Showing 126–130 of 130 claims." in pages[-1]
    back = re.search(r'href="\?([^"]*before=[^"]+)" rel="prev"', pages[-1]).group(1)
    html, _ = get(client, "/?" + back.replace("&amp;", "&"))
    assert "Showing 101–125 of 130 claims." in html


def test_an_invalid_cursor_is_the_first_page(client_as):
    article_with_claims(30)
    html, _ = get(client_as("viewer"), reverse("dashboard:queue") + "?after=bm9wZQ")
    assert "Showing 1–" in html


def test_above_the_limit_counts_say_about(client_as, monkeypatch):
    from claims import selectors

    article_with_claims(12)
    monkeypatch.setattr(selectors, "estimated_count", lambda qs: 1_234_567)
    client = client_as("viewer")
    html, first = get(client, reverse("dashboard:queue") + "?view=all")
    # Counted once, then kept in the cache (COUNT_CACHE_SECONDS), and said so.
    assert "of about 12 claims" in html and "(counted in the last minute)" in html
    _, again = get(client, reverse("dashboard:queue") + "?view=all")
    grouped = [q for q in first if "GROUP BY" in q]
    assert len(grouped) == 1 and not any("GROUP BY" in q for q in again)  # not run again


def test_counts_read_in_words():
    from claims.templatetags.dashboard import claim_count

    assert claim_count(1_234_567, True) == "about 1.2 million"
    assert claim_count(2_000_000, True) == "about 2 million"
    assert claim_count(51_200, True) == "about 51.2 thousand"
    assert claim_count(1_234_567, False) == "1,234,567"


def test_claim_filters_are_not_distinct(client_as):
    article_with_claims(8)
    url = (
        reverse("dashboard:queue") + "?confidence_level=low&status=in_progress&source_type=unnamed"
    )
    _, sql = get(client_as("viewer"), url)
    assert not any("DISTINCT" in q for q in sql)


def test_the_queue_html_does_not_list_every_article_or_user(client_as):
    from tests.factories import ArticleFactory, checker

    client = client_as("editor")
    url = reverse("dashboard:queue")
    before, _ = get(client, url)
    ArticleFactory.create_batch(60, title="Reservoir report")
    for i in range(40):
        checker(username=f"checker{i:02d}")
    after, _ = get(client, url)
    assert "Reservoir report" not in after and "checker07" not in after
    assert abs(len(after) - len(before)) < 200  # the CSRF token and such


def test_article_suggestions_are_at_most_20(client_as):
    from tests.factories import ArticleFactory

    ArticleFactory.create_batch(30, title="Reservoir report")
    target = ArticleFactory(title="Dam budget")
    client = client_as("viewer")
    many, sql = get(client, reverse("dashboard:article-suggest") + "?article_q=reserv")
    assert many.count('name="article"') == 21  # "Any" and 20 matches
    assert len(sql) <= 6 and no_blob(sql) and not any("raw_text" in q for q in sql)
    one, _ = get(client, reverse("dashboard:article-suggest") + "?article_q=budget")
    assert f'value="{target.pk}"' in one and one.count('name="article"') == 2
    kept, _ = get(
        client, reverse("dashboard:article-suggest") + f"?article_q=rese&article={target.pk}"
    )
    assert f'value="{target.pk}" aria-label="Dam budget" checked' in kept
    chosen, _ = get(client, reverse("dashboard:queue") + f"?article={target.pk}")
    assert f'value="{target.pk}" aria-label="Dam budget" checked' in chosen


def test_user_suggestions_are_at_most_20(client_as):
    from tests.factories import checker

    for i in range(25):
        checker(username=f"checker{i:02d}")
    client = client_as("viewer")
    html, _ = get(client, reverse("dashboard:user-suggest") + "?assignee=checker1")
    assert html.count("<option") == 10 and "checker15" in html
    html, _ = get(client, reverse("dashboard:user-suggest") + "?assignee=check")
    assert html.count("<option") == 20
    queue, _ = get(client, reverse("dashboard:queue") + "?assignee=checker15")
    assert 'value="checker15"' in queue


def test_the_overview_keeps_15_articles_before_counting_their_claims(client_as):
    from claims.selectors import article_list

    for i in range(3):
        article_with_claims(30, title=f"Article {i}", blob_kb=1)
    html, sql = get(client_as("viewer"), reverse("dashboard:overview"))
    assert no_blob(sql) and "90 claims in the tracker." in html
    listing = [q for q in sql if 'FROM "claims_article"' in q and "LIMIT 15" in q]
    assert len(listing) == 1 and "JOIN" not in listing[0].split(" FROM ")[-1], listing
    row = article_list().get(title="Article 1")
    assert (row.n_claims, row.n_open) == (30, 16)  # unstarted and in progress, 8 + 8 (of 30)


def test_the_article_list_pages_by_keyset(client_as):
    from tests.factories import ArticleFactory

    made = ArticleFactory.create_batch(120)
    client = client_as("viewer")
    html, _ = get(client, reverse("dashboard:articles"))
    pages, seen = [html], []
    while match := re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html):
        html, sql = get(client, reverse("dashboard:articles") + "?" + match.group(1))
        assert not any(" OFFSET " in q for q in sql) and no_blob(sql)
        pages.append(html)
    for page in pages:
        seen += [int(pk) for pk in re.findall(r'href="/articles/(\d+)/"', page)]
    assert len(pages) == 3 and "Articles 101–120" in pages[-1]
    assert seen == sorted((a.pk for a in made), reverse=True)  # newest first, each once
