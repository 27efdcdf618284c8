"""Claim matching's candidate query on PostgreSQL: full-text search over the stored
search_vector plus pg_trgm similarity, other articles only, and fact-checks too;
each half can be served by its GIN index (asked with sequential scans off: on a
small table the planner rightly prefers a scan)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from claims.domain import fingerprint
from claims.models import ClaimMatch, FactCheck
from claims.services import claim_candidates, claim_matches_find, matching
from claims.services.matching import CANDIDATES, CLAIM_SQL, FACTCHECK_SQL, claim_tsquery
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TEXT = "The mayor said the old river bridge would reopen in May after repairs costing $4 million."


def claim_with(text, article=None):
    return ClaimFactory(
        article=article or ArticleFactory(), text=text, fingerprint=fingerprint(text)
    )


def test_candidates_come_from_other_articles_and_the_library():
    earlier = claim_with(TEXT)
    claim = claim_with(TEXT.replace("river", "iron"))
    same_article = claim_with(TEXT.replace("river", "stone"), article=claim.article)
    unrelated = claim_with("Fishermen reported silt in the harbour.")
    check = FactCheck.objects.create(key="k", claim_text=TEXT, rating="False")
    found = {(c.kind, c.pk) for c in claim_candidates(claim=claim)}
    assert ("claim", earlier.pk) in found and ("factcheck", check.pk) in found
    assert ("claim", same_article.pk) not in found and ("claim", unrelated.pk) not in found
    assert ("claim", claim.pk) not in found

    created = claim_matches_find(claim_ids=[claim.pk])
    assert {(m.matched_claim_id, m.matched_factcheck_id) for m in created} == {
        (earlier.pk, None),
        (None, check.pk),
    }
    assert ClaimMatch.objects.filter(claim=claim).count() == 2


def explain(sql: str) -> str:
    params = {
        "q": TEXT,
        "tsq": claim_tsquery(TEXT),
        "pairs": claim_tsquery(TEXT, rarest=6, unit="near"),
        "article": 0,
        "k": CANDIDATES,
        "ranked": 100,
        "scanned": 1000,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def fresh_stats():
    """The lexeme frequencies read again from pg_stats (a process keeps them a while)."""
    matching._stats["at"] = -matching.STATS_SECONDS
    yield
    matching._stats["at"] = -matching.STATS_SECONDS


def test_the_tsquery_is_the_words_or_the_adjacent_pairs(fresh_stats):
    assert claim_tsquery("The old river bridge would reopen") == (
        "'old' | 'river' | 'bridg' | 'reopen'"
    )
    assert claim_tsquery("The old river bridge would reopen", unit="pair") == (
        "'old' & 'river' | 'river' & 'bridg' | 'bridg' & 'reopen'"
    )
    assert claim_tsquery("The old river bridge would reopen", unit="near") == (
        "('old' & 'bridg') | ('river' & 'reopen')"  # no statistics: all equally rare
    )


def test_the_tsquery_keeps_the_rarest_words(fresh_stats):
    for i in range(60):
        claim_with(f"The council said the river and the budget were discussed, item {i}.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    freqs, _ = matching.lexeme_frequencies()
    assert freqs["river"] == pytest.approx(1.0) and freqs["budget"] == pytest.approx(1.0)
    text = "River mayor budget Cole bridge reopen May repairs cost four million dollars"
    words = claim_tsquery(text, rarest=10).split(" | ")
    assert len(words) == 10 and "'river'" not in words and "'budget'" not in words
    assert words[:3] == ["'mayor'", "'cole'", "'bridg'"]  # in the text's order
    assert claim_tsquery(text, rarest=None).split(" | ")[0] == "'river'"


def test_the_rows_ranked_are_capped(monkeypatch, fresh_stats):
    earlier = claim_with(TEXT)
    for i in range(30):
        claim_with(f"The mayor spoke about item {i}.")
    claim = claim_with(TEXT.replace("river", "iron"))
    monkeypatch.setattr(matching, "SCANNED", 5)
    found = claim_candidates(claim=claim)
    # Each half (the rarest words; the two ANDed groups) ranks at most SCANNED rows,
    # and the halves may find different rows: at most 2 x 5 of 32 claims.
    assert len(found) <= 2 * 5
    monkeypatch.setattr(matching, "SCANNED", 1000)
    assert ("claim", earlier.pk) in {(c.kind, c.pk) for c in claim_candidates(claim=claim)}


def test_both_halves_can_use_their_gin_indexes():
    for i in range(50):
        claim_with(f"Claim number {i} about the bridge and the river in May.")
    FactCheck.objects.create(key="k", claim_text=TEXT)
    plan = explain(CLAIM_SQL)
    assert "claim_search" in plan, plan
    plan = explain(matching.CLAIM_PAIRS_SQL)
    assert plan.count("Bitmap Index Scan on claim_search") == 2, plan
    plan = explain(matching.CLAIM_NEAR_SQL)  # the words half's scan; the near half's own
    assert plan.count("Bitmap Index Scan on claim_search") == 2, plan
    plan = explain(FACTCHECK_SQL)
    assert "factcheck_search" in plan and "factcheck_text_trgm" in plan, plan


def test_a_copy_among_many_look_alikes_is_found_by_the_near_half(monkeypatch, fresh_stats):
    for i in range(40):
        claim_with(f"The council said the river budget and the bridge repairs were item {i}.")
    original = claim_with("The council said the river budget paid the bridge repairs in May.")
    copy = claim_with("The council said the river budget paid the bridge repairs in June.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    monkeypatch.setattr(matching, "SCANNED", 5)  # the look-alikes fill the words half
    monkeypatch.setattr(matching, "PAIRS", 0)
    assert ("claim", original.pk) not in {(c.kind, c.pk) for c in claim_candidates(claim=copy)}
    monkeypatch.setattr(matching, "PAIRS", 6)
    assert ("claim", original.pk) in {(c.kind, c.pk) for c in claim_candidates(claim=copy)}


def test_an_articles_tsqueries_are_made_in_one_round_trip_and_as_one_claims(
    monkeypatch, fresh_stats, django_assert_num_queries
):
    """Issue 12: the tsqueries of all of an article's claims in one statement, each
    the one claim_tsquery makes alone (two statements per claim before)."""
    for i in range(60):
        claim_with(f"The council said the river and the budget were discussed, item {i}.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    matching.lexeme_frequencies()  # the statistics, read once per process
    texts = [
        TEXT,
        "River mayor budget Cole bridge reopen May repairs cost four million dollars, "
        "the council said on Tuesday in Milltown after a long debate about the old bridge",
        "It is what it is.",  # stop words only
        "Rates rose.",
    ]
    for unit, rarest, pairs in [("word", 10, 6), ("word", None, 0), ("pair", 8, 6)]:
        monkeypatch.setattr(matching, "UNIT", unit)
        monkeypatch.setattr(matching, "RAREST", rarest)
        monkeypatch.setattr(matching, "PAIRS", pairs)
        with django_assert_num_queries(1):
            batched = matching.claim_tsqueries(texts)
        alone = [
            (
                claim_tsquery(t, rarest=rarest, unit=unit),
                claim_tsquery(t, rarest=pairs, unit="near") if pairs else None,
            )
            for t in texts
        ]
        assert batched == alone


def test_a_runs_candidates_come_in_one_round_trip_each_claims_its_own(
    monkeypatch, django_assert_num_queries
):
    """Issue 12: every claim's candidate statements sent as one multi-statement query
    (per BATCH_CLAIMS claims), each claim given what its own statements find."""
    texts = [
        TEXT,
        "Fishermen reported silt in the harbour after the storm.",
        "The council approved a budget of $2 million for the school roof.",
        "Tuesday's storm left silt in the harbour, fishermen reported.",
    ]
    for text in texts:
        claim_with(text)
        claim_with(text.replace("the", "a", 1))
    check = FactCheck.objects.create(key="k", claim_text=texts[1], rating="False")
    claims = [claim_with(text.replace(" ", "  ", 1)) for text in texts] + [claim_with("the of")]
    queries = matching.claim_tsqueries([c.text for c in claims])
    alone = []
    with connection.cursor() as cursor:  # each claim's two statements, one at a time
        for claim, statements in zip(claims, queries, strict=True):
            found = []
            for kind, sql, params in matching._candidate_statements(claim, statements):
                cursor.execute(sql, params)
                rows = cursor.fetchall()
                if kind == "claim":  # the statement's rows in pg_trgm's order, cut
                    rows = matching._by_trigrams(claim.text, rows)
                found += [(kind, pk) for pk, _ in rows]
            alone.append(found)
    assert all(alone[:4]) and alone[4] == []  # "the of": no content word, no statement
    assert ("factcheck", check.pk) in alone[1]
    monkeypatch.setattr(matching, "BATCH_CLAIMS", 3)  # two round trips for five claims
    with django_assert_num_queries(3):  # and whether the library holds anything
        batched = matching.claim_candidates_many(claims=claims, queries=queries)
    assert [[(c.kind, c.pk) for c in found] for found in batched] == alone
    # An empty library: no fact-check statement is sent, the claims found are the same.
    check.delete()
    with django_assert_num_queries(3) as sent:
        batched = matching.claim_candidates_many(claims=claims, queries=queries)
    assert "claims_factcheck" not in " ".join(q["sql"] for q in sent.captured_queries[1:])
    without = [[c for c in found if c[0] == "claim"] for found in alone]
    assert [[(c.kind, c.pk) for c in found] for found in batched] == without


def test_the_candidates_order_is_pg_trgms_similarity():
    """Stage 1's last order is made in Python: the same figures as pg_trgm's, to the
    bit (float4), on texts with punctuation, digits, accents and other scripts."""
    import struct

    from claims.analysis.similarity import trigram_similarity, trigrams

    texts = [
        TEXT,
        TEXT.replace("river", "iron"),
        "İstanbul ÉCOLE café Ünïcödé straße ΣΟΦΟΣ",
        "a_b c__d 4,000 $4.5m 100% COVID-19 covid19",
        "naïve — “quoted” it’s Œuvre ǅemal ﬁne",
        "CO\u2082 rose 2\u00bd% to 3\u00b3 km\u00b2, \u00bd\u00be",
        "x",
        "!!",
        "",
    ]
    pairs = [(a, b) for a in texts for b in texts]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT similarity(a, b) FROM unnest(%s::text[], %s::text[]) AS t(a, b)",
            [[a for a, _ in pairs], [b for _, b in pairs]],
        )
        theirs = [row[0] for row in cursor.fetchall()]

    def float4(x):  # psycopg reads a float4 as the shortest decimal that names it
        return struct.unpack("f", struct.pack("f", x))[0]

    ctype_c = matching._ctype_is_c()  # this database's words: ASCII only under C
    ours = [trigram_similarity(trigrams(a, ctype_c), trigrams(b, ctype_c)) for a, b in pairs]
    assert ours == [float4(x) for x in theirs]


def test_one_scan_finds_what_the_two_halves_scans_find(monkeypatch, fresh_stats):
    """CLAIM_NEAR_SQL (the near half's rows taken from the words half's while under
    SCANNED) gives the rows CLAIM_PAIRS_SQL (a scan per half) gives, capped or not."""
    for i in range(40):
        claim_with(f"The council said the river budget and the bridge repairs were item {i}.")
    claim_with("The council said the river budget paid the bridge repairs in May.")
    copy = claim_with("The council said the river budget paid the bridge repairs in June.")
    queries = matching.claim_tsqueries([copy.text])[0]
    (_, statement, _), _ = matching._candidate_statements(copy, queries)
    assert statement == matching.CLAIM_NEAR_SQL
    for scanned in (5, 41, 1000):  # capped, at the edge, not capped
        monkeypatch.setattr(matching, "SCANNED", scanned)
        one_scan = claim_candidates(claim=copy)
        with monkeypatch.context() as m:
            m.setattr(matching, "CLAIM_NEAR_SQL", matching.CLAIM_PAIRS_SQL)
            assert claim_candidates(claim=copy) == one_scan, scanned


def test_without_planner_statistics_rarity_comes_from_the_newest_claims(fresh_stats):
    """Before any ANALYZE (pg_stats has no row) the words' shares are counted over the
    newest claims: the rare words are taken, not the text's first ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename = 'claims_claim' AND attname = 'search_vector'"
        )
        if cursor.fetchone()[0]:
            pytest.skip("this test database's claims were analysed (autovacuum)")
    for i in range(19):
        claim_with(f"River budget council item {i}.")
    claim_with("A bridge in Cole.")
    freqs, floor = matching.lexeme_frequencies()
    assert freqs["river"] == pytest.approx(19 / 20) and freqs["cole"] == pytest.approx(1 / 20)
    assert floor == pytest.approx(1 / 20)
    words = claim_tsquery("River budget council bridge Cole reopen", rarest=3).split(" | ")
    assert words == ["'bridg'", "'cole'", "'reopen'"]  # 'reopen': held by none


def test_a_candidate_whose_text_changed_is_scored_by_its_new_text():
    """Texts are kept prepared by text, never by claim: a claim whose text changed
    (an edit, a re-analysis) is not scored as it was."""
    earlier = claim_with(TEXT)
    assert {m.matched_claim_id for m in claim_matches_find(claim_ids=[claim_with(TEXT).pk])} == {
        earlier.pk
    }
    other = "Fishermen reported silt in the harbour after the river bridge works in May."
    earlier.text = other
    earlier.save(update_fields=["text"])
    earlier.refresh_from_db()
    later = claim_with(TEXT.replace("river", "iron"))
    found = {m.matched_claim_id: m.score for m in claim_matches_find(claim_ids=[later.pk])}
    assert earlier.pk not in found or found[earlier.pk] < 0.5


def test_a_claims_own_published_verdict_is_not_a_candidate():
    claim = claim_with(TEXT)
    neighbour = claim_with(TEXT.replace("river", "stone"), article=claim.article)
    other = claim_with(TEXT.replace("river", "iron"))
    own = FactCheck.objects.create(key="own", origin="ours", claim=claim, claim_text=TEXT)
    of_article = FactCheck.objects.create(
        key="art", origin="ours", claim=neighbour, claim_text=neighbour.text
    )
    imported = FactCheck.objects.create(key="imp", claim_text=TEXT)
    found = {(c.kind, c.pk) for c in claim_candidates(claim=claim)}
    assert ("factcheck", own.pk) not in found and ("factcheck", of_article.pk) not in found
    assert ("factcheck", imported.pk) in found
    found = {(c.kind, c.pk) for c in claim_candidates(claim=other)}
    assert {("factcheck", own.pk), ("factcheck", of_article.pk)} <= found
