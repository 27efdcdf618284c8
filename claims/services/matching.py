"""Claim matching: has this been checked before?

After an analysis saves an article's claims, ``claim_matches_find`` looks for
claims of OTHER articles and published fact-checks (FactCheck) that say the same
thing, in two stages:

1. candidates: on PostgreSQL, full-text search over the stored
   ``Claim.search_vector`` (the claim's adjacent word pairs, ranked; GIN index
   from migration 0010), the best of them ordered by pg_trgm similarity; for
   fact-checks full-text and trigram search, each on its GIN index (0016); in
   the embedded SQLite mode, word overlap in Python over a bounded set of the
   newest claims and fact-checks;
2. the re-ranker, claims.analysis.similarity (why lexical: README, "Claim
   matching").

A candidate scoring at least ``settings.CLAIM_MATCH_THRESHOLD`` becomes a
suggested ClaimMatch. An editor confirms it (the two claims' clusters join) or
rejects it; a rejected match is remembered by claim id and by the claim's
fingerprint, so neither a new run nor a re-analysis suggests it again.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from claims.analysis import similarity
from claims.filters import OPEN_STATUSES
from claims.models import (
    VERDICTS,
    Claim,
    ClaimChange,
    ClaimMatch,
    FactCheck,
    MatchState,
    Priority,
    VersionChange,
)
from claims.services.webhooks import webhooks_matched, webhooks_matches_found
from claims.workflow import NotPermitted, WorkflowError, claim_transition

log = logging.getLogger(__name__)

CANDIDATES = 50  # per stage-1 query: what the re-ranker reads
# The embedded mode's bounded scan: the newest claims and fact-checks.
EMBEDDED_SCAN = 5000
VERDICT = "claims.give_verdict"
PRIORITY_RAISED = "priority_raised"


@dataclass(frozen=True)
class Candidate:
    kind: str  # "claim" or "factcheck"
    pk: int
    text: str


# --- Stage 1: candidates -------------------------------------------------------------

# Stage 1 on PostgreSQL, two halves ranked apart (CLAIM_PAIRS_SQL), each on the GIN
# index claim_search of the stored Claim.search_vector:
# - "words": an OR of the claim's RAREST rarest content words ('reopen' | 'cole' |
#   ...): finds a reworded claim by the rare words it keeps (CLEF's tweets);
# - "near": its PAIRS rarest words in two groups, each ANDed ('cole' & 'may' &
#   'repair' | 'reopen' & 'bridg' & 'mayor'): a copy with one word changed keeps
#   one group whole, even when every word is common (the generated corpus: at 1M
#   claims the words half alone found 1 of 60 planted one-word-changed copies, with
#   this half 55; all-but-one-of-six conjunctions found as many at twice the cost).
# How rare a word is comes from the planner's own statistics of the column:
# pg_stats keeps the most common lexemes of search_vector with the share of claims
# holding each, and a lexeme not listed is rarer than any listed. At most SCANNED of
# each half's rows are ranked by ts_rank (reading a row's tsvector is most of a row's
# cost), the best RANKED of each then ordered by pg_trgm similarity. The work per
# claim is bounded whatever the table's size.
#
# Before (issue 14's first version): an OR of every adjacent word pair, every row
# found ranked. On the generated corpus, whose 249 words make every pair common,
# that found a quarter of the table (26k rows at 100k claims, 270 ms; 1.3 s at 1M);
# on CLEF 2020's tweets, whose wording differs from the claims they repeat, pairs
# missed matches a single rare word finds (recall at 50: pairs .746, now .904;
# MAP@5 .641, now .719; bench/claim_matching_eval.py --postgres).
MAX_TERMS = 24
RAREST = 10
SCANNED = 1000
RANKED = 100
# "word" (the rarest words) or "pair" (adjacent pairs: the query before, for the bench).
UNIT = "word"
# Each half's best RANKED rows; the union is then ordered by pg_trgm's similarity to
# the claim, id breaking ties, and cut to CANDIDATES in Python (_by_trigrams), as this
# query did before with "ORDER BY similarity(text, %(q)s) DESC, id LIMIT %(k)s": the
# same rows in the same order, without PostgreSQL making the claim's trigrams again
# for each row (half of the statement's time on real news, where the rows are few).
CLAIM_SQL = """
SELECT id, text FROM (
  SELECT id, text, search_vector FROM claims_claim
  WHERE search_vector @@ %(tsq)s::tsquery AND article_id <> %(article)s
  LIMIT %(scanned)s
) found
ORDER BY ts_rank(search_vector, %(tsq)s::tsquery) DESC, id
LIMIT %(ranked)s
"""
# Both halves (PAIRS > 0): the words' and the near copies' (%(pairs)s).
CLAIM_PAIRS_SQL = """
(SELECT id, text FROM (
  SELECT id, text, search_vector FROM claims_claim
  WHERE search_vector @@ %(tsq)s::tsquery AND article_id <> %(article)s
  LIMIT %(scanned)s
) found
ORDER BY ts_rank(search_vector, %(tsq)s::tsquery) DESC, id
LIMIT %(ranked)s)
UNION
(SELECT id, text FROM (
  SELECT id, text, search_vector FROM claims_claim
  WHERE search_vector @@ %(pairs)s::tsquery AND article_id <> %(article)s
  LIMIT %(scanned)s
) found
ORDER BY ts_rank(search_vector, %(pairs)s::tsquery) DESC, id
LIMIT %(ranked)s)
"""
# Both halves in one scan, the same rows as CLAIM_PAIRS_SQL's: the near half's words
# are among the words half's (claim_tsqueries reads the frequencies once for both),
# so every row the near half finds, the words half finds too. While the words half
# finds fewer than SCANNED rows, those are all of its rows, and the near half takes
# its own from them instead of scanning the table again (a quarter of the statement's
# time on real news, where a seq scan serves both); past SCANNED it scans as before.
CLAIM_NEAR_SQL = """
WITH found AS MATERIALIZED (
  SELECT id, text, search_vector FROM claims_claim
  WHERE search_vector @@ %(tsq)s::tsquery AND article_id <> %(article)s
  LIMIT %(scanned)s
)
(SELECT id, text FROM found
  ORDER BY ts_rank(search_vector, %(tsq)s::tsquery) DESC, id
  LIMIT %(ranked)s)
UNION
(SELECT id, text FROM found
  WHERE search_vector @@ %(pairs)s::tsquery AND (SELECT count(*) FROM found) < %(scanned)s
  ORDER BY ts_rank(search_vector, %(pairs)s::tsquery) DESC, id
  LIMIT %(ranked)s)
UNION
(SELECT id, text FROM (
    SELECT id, text, search_vector FROM claims_claim
    WHERE search_vector @@ %(pairs)s::tsquery AND article_id <> %(article)s
      AND (SELECT count(*) FROM found) >= %(scanned)s
    LIMIT %(scanned)s
  ) found_near
  ORDER BY ts_rank(search_vector, %(pairs)s::tsquery) DESC, id
  LIMIT %(ranked)s)
"""
PAIRS = 6  # the "near" half's words; 0: the words half only
PAIR_UNIT = "near"  # or "pair": the rarest adjacent pairs (compared by the benches)
# The library is smaller and written once: both halves, each on its GIN index
# (factcheck_search, whose expression this repeats to the letter; factcheck_text_trgm),
# the full-text half capped like the claims'. Our own verdicts of the claim's own
# article are not candidates, as its claims are not: a claim was matched to its own
# published fact-check. Nor are our withdrawn ones (reopened: out of the library).
FACTCHECK_SQL = """
(SELECT id, claim_text FROM (
  SELECT id, claim_text FROM claims_factcheck f
  WHERE to_tsvector('pg_catalog.english', claim_text) @@ %(tsq)s::tsquery
    AND f.withdrawn_at IS NULL
    AND (f.claim_id IS NULL OR f.claim_id NOT IN (
      SELECT id FROM claims_claim WHERE article_id = %(article)s))
  LIMIT %(scanned)s) found
  ORDER BY ts_rank(to_tsvector('pg_catalog.english', claim_text), %(tsq)s::tsquery) DESC, id
  LIMIT %(k)s)
UNION
(SELECT id, claim_text FROM claims_factcheck f
  WHERE claim_text %% %(q)s
    AND f.withdrawn_at IS NULL
    AND (f.claim_id IS NULL OR f.claim_id NOT IN (
      SELECT id FROM claims_claim WHERE article_id = %(article)s))
  ORDER BY similarity(claim_text, %(q)s) DESC, id LIMIT %(k)s)
"""
# A tsquery's quoted lexemes ('it''s' for it's).
_LEXEME = re.compile(r"'((?:[^']|'')*)'")
# How long a process keeps the lexeme frequencies before it reads them again.
STATS_SECONDS = 600
# A table ANALYZE has not seen yet (pg_stats holds no row for it: a new database, or
# one just filled) is young and changing: its frequencies are counted (ts_stat) over
# its newest SAMPLE_CLAIMS claims instead, and counted again after SAMPLE_SECONDS.
# Before, nothing was known and every claim's first words were taken, common or not
# (on 40 real articles in an emptied database: 'clinton', 'democrat', ...).
SAMPLE_CLAIMS = 5000
SAMPLE_SECONDS = 10
_stats: dict = {"at": -STATS_SECONDS, "ttl": STATS_SECONDS, "freqs": {}, "floor": 1.0}
SAMPLE_SQL = """
SELECT word, ndoc::float8 / (
  SELECT count(*) FROM (SELECT 1 FROM claims_claim ORDER BY id DESC LIMIT %(n)s) s
) FROM ts_stat(%(sample)s)
"""
# ts_stat() takes a query's text.
SAMPLE_QUERY = "SELECT search_vector FROM claims_claim ORDER BY id DESC LIMIT {n:d}"


def lexeme_frequencies() -> tuple[dict[str, float], float]:
    """The most common lexemes of Claim.search_vector with the share of claims that
    hold each, and the share below which every other lexeme lies: the statistics
    ANALYZE (and autovacuum) keeps in pg_stats, read at most every STATS_SECONDS.
    Before any ANALYZE, every lexeme's share of the newest claims (SAMPLE_SQL), a
    lexeme none of them holds counting as rarer than one they hold once."""
    now = time.monotonic()
    if now - _stats["at"] < _stats["ttl"]:
        return _stats["freqs"], _stats["floor"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = 'claims_claim' "
            "AND attname = 'search_vector'"
        )
        row = cursor.fetchone()
        if not (row and row[0]):
            sample = SAMPLE_QUERY.format(n=SAMPLE_CLAIMS)
            cursor.execute(SAMPLE_SQL, {"n": SAMPLE_CLAIMS, "sample": sample})
            sampled = dict(cursor.fetchall())
    if row and row[0]:
        elems, values = row
        freqs = dict(zip(elems, values, strict=False))
        # After the elements' frequencies: the minimum, the maximum, the null share.
        floor = values[len(elems)] if len(values) > len(elems) else min(freqs.values())
        ttl = STATS_SECONDS
    else:
        # One claim of the sample's: 1 / its size (no claims: nothing is known).
        freqs, floor, ttl = sampled, min(sampled.values(), default=1.0), SAMPLE_SECONDS
    _stats.update(at=now, ttl=ttl, freqs=freqs, floor=floor)
    return freqs, floor


def _rarity(term: str, freqs: dict[str, float], floor: float) -> float:
    """A term's estimated share of claims: the product of its lexemes' (a lexeme the
    statistics do not list counts as half the smallest listed share)."""
    share = 1.0
    for lexeme in _LEXEME.findall(term):
        share *= freqs.get(lexeme.replace("''", "'"), floor / 2)
    return share


def _terms(text: str, unit: str) -> list[str]:
    """What plainto_tsquery is asked for: the text's content words, or (unit="pair")
    its adjacent word pairs."""
    words = similarity.terms(text)
    if unit == "pair":
        terms = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)][: MAX_TERMS // 2]
        terms = terms or words[:1]
    else:
        terms = list(dict.fromkeys(words))[:MAX_TERMS]
    return terms or [text[:200]]


def _lexemes(terms) -> dict[str, str]:
    """Each term's plainto_tsquery (PostgreSQL stems the words; "" for a stop word),
    every term in one round trip: one array parameter, whatever the number."""
    unique = list(dict.fromkeys(terms))
    if not unique:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, plainto_tsquery('pg_catalog.english', t)::text FROM unnest(%s::text[]) t",
            [unique],
        )
        return dict(cursor.fetchall())


def _tsquery(
    text: str, lexemes: dict[str, str], rarest: int | None, unit: str, stats: tuple | None = None
) -> str:
    """claim_tsquery's composition from the terms' tsqueries (``lexemes``); ``stats``:
    lexeme_frequencies() as read once for all of a text's tsqueries (by default,
    read now)."""
    if unit == "near":  # a copy with a word changed keeps one of two groups whole
        stats = stats or lexeme_frequencies()
        found = _tsquery(text, lexemes, rarest, "word", stats).split(" | ")
        if len(found) < 4:
            return " & ".join(found)
        # Dealt out rarest first, so each group holds some of the rare words.
        found.sort(key=lambda q: _rarity(q, *stats))
        return f"({' & '.join(found[0::2])}) | ({' & '.join(found[1::2])})"
    found = list(dict.fromkeys(q for t in _terms(text, unit) if (q := lexemes[t])))
    if rarest is not None and len(found) > rarest:
        freqs, floor = stats or lexeme_frequencies()
        chosen = set(sorted(found, key=lambda q: _rarity(q, freqs, floor))[:rarest])
        found = [q for q in found if q in chosen]
    return " | ".join(found)


def claim_tsquery(text: str, *, rarest: int | None = RAREST, unit: str = UNIT) -> str:
    """The tsquery of a claim's text (PostgreSQL stems the words): an OR of its
    ``rarest`` rarest content words, in the text's order (None: all of them);
    unit="pair": of its adjacent word pairs ('old' & 'river' | ...) instead;
    unit="near": those words dealt into two groups, rarest first, each ANDed."""
    lexemes = _lexemes(_terms(text, "word" if unit == "near" else unit))
    return _tsquery(text, lexemes, rarest, unit)


def claim_tsqueries(texts: list[str]) -> list[tuple[str, str | None]]:
    """Stage 1's two tsqueries (the words half's; the near half's, None without it)
    of each text, as claim_tsquery makes them, in one round trip for all the texts
    (an article's claims): before, two per claim."""
    # Read at call time: bench/claim_matching_eval.py compares settings.
    units = {UNIT} | ({"word" if PAIR_UNIT == "near" else PAIR_UNIT} if PAIRS else set())
    lexemes = _lexemes(t for text in texts for unit in units for t in _terms(text, unit))
    stats = lexeme_frequencies()  # one reading for all: the near half's words are
    # then among the words half's (CLAIM_NEAR_SQL counts on it)
    return [
        (
            _tsquery(text, lexemes, RAREST, UNIT, stats),
            _tsquery(text, lexemes, PAIRS, PAIR_UNIT, stats) if PAIRS else None,
        )
        for text in texts
    ]


def _candidate_statements(
    claim: Claim, queries: tuple[str, str | None], *, library: bool = True
) -> list[tuple[str, str, dict]]:
    """Stage 1's two statements for a claim (its claims', its fact-checks'; only the
    first when the ``library`` is empty), none for a claim without a content word."""
    tsq, pairs = queries
    if not tsq:
        return []
    params = {
        "q": claim.text,
        "tsq": tsq,
        "article": claim.article_id,
        "k": CANDIDATES,
        "ranked": RANKED,
        "scanned": SCANNED,
    }
    if pairs is not None:
        params["pairs"] = pairs
    if pairs is None:
        claims_sql = CLAIM_SQL
    elif UNIT == "word" and PAIR_UNIT == "near" and (RAREST is None or PAIRS <= RAREST):
        claims_sql = CLAIM_NEAR_SQL  # the near half's words among the words half's
    else:
        claims_sql = CLAIM_PAIRS_SQL
    statements = [("claim", claims_sql, params)]
    if library:
        statements.append(("factcheck", FACTCHECK_SQL, params))
    return statements


def _candidates_postgres(claim: Claim, queries: tuple[str, str | None] | None) -> list[Candidate]:
    queries = queries if queries is not None else claim_tsqueries([claim.text])[0]
    return claim_candidates_many(claims=[claim], queries=[queries])[0]


# Statements sent in one round trip by claim_candidates_many (two per claim).
BATCH_CLAIMS = 50


def claim_candidates_many(
    *, claims: list[Claim], queries: list[tuple[str, str | None]]
) -> list[list[Candidate]]:
    """Stage 1 on PostgreSQL for several claims (a run's), each claim's ``queries``
    from claim_tsqueries: the same statements as one claim's, all of them sent in
    one round trip (per BATCH_CLAIMS claims) as one multi-statement query, its
    result sets read in turn. Each statement keeps its literal tsqueries, so the
    planner plans each as before (a prepared or LATERAL form would plan them blind
    of their words' rarity); before, two round trips per claim."""
    found: list[list[Candidate]] = [[] for _ in claims]
    # A newsroom without an imported library (every new one) would plan and run a
    # fact-check statement per claim for nothing: 10 of the 136 ms PostgreSQL took to
    # plan and run an 83-claim article of real news (EXPLAIN ANALYZE, 1,600 claims).
    library = FactCheck.objects.filter(withdrawn_at__isnull=True).exists()
    with connection.cursor() as cursor:
        for start in range(0, len(claims), BATCH_CLAIMS):
            owners, sql = [], []
            for i in range(start, min(start + BATCH_CLAIMS, len(claims))):
                statements = _candidate_statements(claims[i], queries[i], library=library)
                for kind, statement, params in statements:
                    owners.append((i, kind))
                    # psycopg's client-side binding, as for a statement of its own
                    # (Django's default; OPTIONS server_side_binding would refuse
                    # several statements in one query).
                    sql.append(cursor.mogrify(statement, params))
            if not sql:
                continue
            cursor.execute(";\n".join(sql))
            for i, kind in owners:
                rows = cursor.fetchall()
                if kind == "claim":
                    rows = _by_trigrams(claims[i].text, rows)
                found[i] += [Candidate(kind, pk, text) for pk, text in rows]
                cursor.nextset()
    return found


def _by_trigrams(query: str, rows: list) -> list:
    """The CANDIDATES rows most like ``query`` by pg_trgm's similarity, best first,
    id breaking ties (CLAIM_SQL's last step)."""
    ctype_c = _ctype_is_c()
    mine = similarity.trigrams(query, ctype_c)
    scored = sorted(
        (-similarity.trigram_similarity(mine, similarity.trigrams(text, ctype_c)), pk, text)
        for pk, text in rows
    )
    return [(pk, text) for _, pk, text in scored[:CANDIDATES]]


_ctype_c: dict[tuple, bool] = {}


def _ctype_is_c() -> bool:
    """Whether the database's LC_CTYPE is C (or POSIX), where pg_trgm's words are
    ASCII only: read once per process and database."""
    key = (connection.alias, connection.settings_dict.get("NAME"))
    if key not in _ctype_c:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            _ctype_c[key] = cursor.fetchone()[0] in ("C", "POSIX")
    return _ctype_c[key]


@dataclass(frozen=True)
class _Pooled:
    candidate: Candidate
    article_id: int | None
    terms: tuple[str, ...]


def _embedded_pool() -> list[_Pooled]:
    """The newest claims and fact-checks, their terms computed once per run."""
    claims = Claim.objects.order_by("-id").values_list("pk", "article_id", "text")
    # A fact-check of ours is of its claim's article: not a candidate there.
    checks = (
        FactCheck.objects.filter(withdrawn_at__isnull=True)  # a reopened verdict of ours
        .order_by("-id")
        .values_list("pk", "claim__article_id", "claim_text")
    )
    pool = [
        _Pooled(Candidate("claim", pk, t), article, tuple(similarity.terms(t)))
        for pk, article, t in claims[:EMBEDDED_SCAN]
    ]
    pool += [
        _Pooled(Candidate("factcheck", pk, t), article, tuple(similarity.terms(t)))
        for pk, article, t in checks[:EMBEDDED_SCAN]
    ]
    return pool


def _candidates_embedded(
    claim: Claim, pool: list[_Pooled] | None = None, idf: dict[str, float] | None = None
) -> list[Candidate]:
    """Word overlap over the newest claims of other articles and fact-checks, each
    word weighed by its rarity among them (``idf``: claim_idf of the pool, made once
    per run), as the re-ranker weighs it: unweighted, claims sharing only common
    words filled the candidates ahead of one sharing a rare name (on CLEF 2020 dev,
    the gold claim among the 100 kept: 0.904, weighted 0.934)."""
    query = similarity.terms(claim.text)
    words = set(query)
    pool = _embedded_pool() if pool is None else pool
    idf = claim_idf(pool) if idf is None else idf
    scored = []
    for item in pool:
        if item.article_id == claim.article_id or words.isdisjoint(item.terms):
            continue
        scored.append((similarity.word_overlap(query, item.terms, idf), item.candidate))
    scored.sort(key=lambda sc: (-sc[0], sc[1].kind, sc[1].pk))
    return [c for _, c in scored[: 2 * CANDIDATES]]


def claim_candidates(
    *,
    claim: Claim,
    pool: list | None = None,
    queries: tuple | None = None,
    idf: dict | None = None,
) -> list[Candidate]:
    """Stage 1 for one claim (bench/matching_speed.py times it). ``pool``: the
    embedded mode's scan set, shared by the claims of one run, and ``idf`` its word
    weights (claim_idf); ``queries``: on PostgreSQL, the claim's tsqueries if
    claim_tsqueries made them already."""
    if connection.vendor == "postgresql":
        return _candidates_postgres(claim, queries)
    return _candidates_embedded(claim, pool, idf)


# --- Stage 2 and the links -----------------------------------------------------------

# The re-ranker weighs each word two claims share by its rarity (BM25's IDF,
# similarity.idf_table): a shared name says more than a shared "government". The
# rarity is among the newest IDF_SAMPLE claims and as many fact-checks, the embedded
# mode's scan set, in both modes: the same data scores a pair alike on SQLite and on
# PostgreSQL, so one CLAIM_MATCH_THRESHOLD means the same. (pg_stats, which stage 1
# reads, lists only the commonest lexemes, and PostgreSQL's stems, not the
# re-ranker's words.) A collection of fewer than IDF_MIN_TEXTS texts counts as that
# many, the others holding none of the words: among a new newsroom's few claims, two
# copies of a story would make its own words look common (a one-word change scored
# 0.80 among six claims, 0.88 so, 0.90 without weights). On CLEF 2020 (README,
# "Evaluation") this took MAP@5 on dev from 0.663 to 0.702; CLAIM_MATCH_THRESHOLD
# was set again on the train split for it. On PostgreSQL a process reads the texts
# at most every STATS_SECONDS (every SAMPLE_SECONDS while they are fewer than
# IDF_MIN_TEXTS) and, in between, counts in the claims and fact-checks stored since
# (a few rows by id, each run): the claims being matched and the other copies of
# their story are counted as the embedded mode's scan set counts them, not weighed
# as words never seen. The embedded mode counts the scan set it reads for each run.
IDF_SAMPLE = EMBEDDED_SCAN
IDF_MIN_TEXTS = 1000
_idf: dict = {
    "at": -STATS_SECONDS, "ttl": STATS_SECONDS, "table": None, "df": {}, "count": 0,
    "newest": (0, 0),
}  # fmt: skip


def _idf_table(documents: list) -> dict[str, float]:
    return similarity.idf_table(documents, size=IDF_MIN_TEXTS)


def _idf_texts(newer: tuple[int, int] = (0, 0)) -> tuple[list[str], tuple[int, int]]:
    """The texts of the newest IDF_SAMPLE claims and as many fact-checks with ids
    above ``newer`` (claim, fact-check), and the newest ids among them (or ``newer``)."""
    claims = list(
        Claim.objects.filter(pk__gt=newer[0]).order_by("-id").values_list("id", "text")[:IDF_SAMPLE]
    )
    checks = list(
        FactCheck.objects.filter(withdrawn_at__isnull=True, pk__gt=newer[1])
        .order_by("-id")
        .values_list("id", "claim_text")[:IDF_SAMPLE]
    )
    newest = (claims[0][0] if claims else newer[0], checks[0][0] if checks else newer[1])
    return [t for _, t in claims] + [t for _, t in checks], newest


def claim_idf(pool: list[_Pooled] | None = None) -> dict[str, float]:
    """The re-ranker's word weights: of the embedded scan set ``pool`` if given,
    else of the newest claims and fact-checks, kept a while per process with the
    texts stored since counted in."""
    if pool is not None:
        return _idf_table([item.terms for item in pool])
    now = time.monotonic()
    if _idf["table"] is None or now - _idf["at"] >= _idf["ttl"]:
        texts, newest = _idf_texts()
        ttl = STATS_SECONDS if len(texts) >= IDF_MIN_TEXTS else SAMPLE_SECONDS
        at, df, count = now, Counter(), 0
    else:
        texts, newest = _idf_texts(_idf["newest"])
        if not texts:
            return _idf["table"]
        # A copy: another thread may be reading the counts being added to.
        at, ttl, df, count = _idf["at"], _idf["ttl"], Counter(_idf["df"]), _idf["count"]
    for text in texts:
        df.update(set(similarity.terms(text)))
    count += len(texts)
    table = similarity.idf_of_counts(df, count, size=IDF_MIN_TEXTS)
    _idf.update(at=at, ttl=ttl, df=df, count=count, newest=newest, table=table)
    return table


def _known(claims: list[Claim]) -> dict[int, set[tuple[str, int]]]:
    """Per claim, the targets not to suggest: every match already recorded (either
    direction), and the rejections of a claim of the same article with the same
    text (re-analysis). One query for all the claims of a run."""
    ids = [c.pk for c in claims]
    rows = list(
        ClaimMatch.objects.filter(
            Q(claim_id__in=ids)
            | Q(matched_claim_id__in=ids)
            | Q(
                claim_fingerprint__in={c.fingerprint for c in claims},
                claim__article_id__in={c.article_id for c in claims},
                state=MatchState.REJECTED,
            )
        ).values_list(
            "claim_id",
            "matched_claim_id",
            "matched_factcheck_id",
            "claim_fingerprint",
            "claim__article_id",
            "state",
        )
    )
    # Each row filed once under the claims it concerns (a pass over the rows per
    # claim was quadratic: 94 s for 1,300 claims with 156,000 matches).
    by_claim: dict[int, set[tuple[str, int]]] = defaultdict(set)
    rejected: dict[tuple[str, int], set[tuple[str, int]]] = defaultdict(set)
    for owner, other, factcheck, fp, article, state in rows:
        target = ("factcheck", factcheck) if factcheck else ("claim", other)
        if other is not None:
            by_claim[other].add(("claim", owner))  # the other claim found this one first
        by_claim[owner].add(target)
        if state == MatchState.REJECTED:
            rejected[fp, article].add(target)  # the same text under a new id
    known: dict[int, set[tuple[str, int]]] = {}
    for claim in claims:
        found = known[claim.pk] = set(by_claim.get(claim.pk, ()))
        found |= rejected.get((claim.fingerprint, claim.article_id), set())
        found.discard(("claim", claim.pk))
    return known


class _Texts:
    """The re-ranker's work for one run, each text prepared once and each pair of
    texts scored (and its spans found) once: the candidates of an article's claims
    overlap, and copies of a story (a wire's syndication) repeat texts exactly."""

    def __init__(self, idf: dict[str, float] | None = None) -> None:
        self.prepared: dict[str, similarity.Prepared] = {}
        self.scores: dict[tuple[str, str], float] = {}
        self.idf = claim_idf() if idf is None else idf

    def prepare(self, text: str) -> similarity.Prepared:
        if text not in self.prepared:
            self.prepared[text] = similarity.prepare(text)
        return self.prepared[text]

    def score(self, a: str, b: str) -> float:
        if (a, b) not in self.scores:
            self.scores[a, b] = similarity.similarity(self.prepare(a), self.prepare(b), self.idf)
        return self.scores[a, b]


def _matches_for(
    claim: Claim,
    threshold: float,
    pool: list | None = None,
    known: set | None = None,
    *,
    queries: tuple | None = None,
    texts: _Texts | None = None,
    candidates: list[Candidate] | None = None,
) -> list[ClaimMatch]:
    known = set(_known([claim])[claim.pk] if known is None else known)
    texts = texts or _Texts(claim_idf(pool) if pool is not None else None)
    spans: dict[str, list] = {}
    rows = []
    if candidates is None:
        candidates = claim_candidates(claim=claim, pool=pool, queries=queries, idf=texts.idf)
    for cand in candidates:
        if (cand.kind, cand.pk) in known:
            continue
        score = texts.score(claim.text, cand.text)
        if score < threshold:
            continue
        known.add((cand.kind, cand.pk))
        if cand.text not in spans:
            spans[cand.text] = similarity.matching_spans(claim.text, cand.text)
        rows.append(
            ClaimMatch(
                claim=claim,
                matched_claim_id=cand.pk if cand.kind == "claim" else None,
                matched_factcheck_id=cand.pk if cand.kind == "factcheck" else None,
                claim_fingerprint=claim.fingerprint,
                score=round(score, 4),
                spans=spans[cand.text],
                scored_texts=scored_texts(claim.text, cand.text),
            )
        )
    return rows


def claim_matches_find(*, claim_ids: list[int]) -> list[ClaimMatch]:
    """Suggest matches for the given claims (a pipeline step, after they are saved);
    returns the new ClaimMatch rows. Idempotent: a match already recorded, in
    either direction, or rejected for the same text, is not written again; a claim
    deleted meanwhile is skipped."""
    threshold = settings.CLAIM_MATCH_THRESHOLD
    claims = list(
        Claim.objects.filter(pk__in=claim_ids).only(
            "pk", "text", "article_id", "fingerprint", "version_change"
        )
    )
    postgres = connection.vendor == "postgresql"
    pool = _embedded_pool() if claims and not postgres else None
    texts = _Texts(claim_idf(pool) if claims else {})
    # A new version that changed a claim's text: its matches scored again first.
    recount = _rescore_changed(claims, texts)
    # On PostgreSQL every claim's tsqueries in one round trip.
    queries = claim_tsqueries([c.text for c in claims]) if claims and postgres else None
    # ... and every claim's candidates in one more.
    candidates = claim_candidates_many(claims=claims, queries=queries) if queries else None
    known = _known(claims) if claims else {}
    rows = []
    for i, claim in enumerate(claims):
        rows += _matches_for(
            claim,
            threshold,
            pool,
            known[claim.pk],
            texts=texts,
            candidates=candidates[i] if candidates else None,
        )
    # ignore_conflicts: a concurrent run of the same article wrote them first.
    since = timezone.now()
    created = ClaimMatch.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if created:
        # The rows have no ids (ignore_conflicts): the webhooks read them back.
        webhooks_matches_found(claim_ids=[c.pk for c in claims], since=since)
    strong = recount | {
        pk
        for row in rows
        if row.matched_claim_id and row.score >= settings.CLUSTER_REPEAT_SCORE
        for pk in (row.claim_id, row.matched_claim_id)
    }
    if strong:
        claim_repeats_update(claim_ids=strong)
    return created


def _rescore_changed(claims: list[Claim], texts: _Texts) -> set[int]:
    """The matches of the claims whose text the article's latest version changed,
    scored again with their spans by the texts as they are now (they were scored
    on the old text: "similarity 1.00" and shared words the new text no longer
    has, and a strong match counted as a repeat though the two no longer say the
    same thing). A suggestion below CLAIM_MATCH_THRESHOLD now is dropped, as it
    would not be suggested; people's decisions are kept, with today's figures.
    Only what differs is written. Returns the claims whose repeats to recount.

    A match already scored on the two texts as they are now (its ``scored_texts``)
    is not scored again: the version's first run did it, and every later run of the
    version (each "Analyse again") scored them all again for nothing (12,000
    matches: 8-10 s of a 13-19 s matching run, bench/rescore_changed.py)."""
    changed = [c.pk for c in claims if c.version_change == VersionChange.CHANGED]
    if not changed:
        return set()
    strong_from = settings.CLUSTER_REPEAT_SCORE
    gone, updated, recount = [], [], set()
    for pk, owner, other_id, state, old_score, old_spans, text, other in _scored_otherwise(changed):
        score = round(texts.score(text, other), 4)
        spans = similarity.matching_spans(text, other)
        match = (pk, score, spans, scored_texts(text, other))
        if score == old_score and spans == old_spans:
            updated.append(match)  # the same figures, now known to be of these texts
            continue
        suggested = state == MatchState.SUGGESTED
        if suggested and other_id and (old_score >= strong_from) != (score >= strong_from):
            recount |= {owner, other_id}
        if suggested and score < settings.CLAIM_MATCH_THRESHOLD:
            gone.append(pk)
            continue
        updated.append(match)
    if gone:
        ClaimMatch.objects.filter(pk__in=gone).delete()
    _write_scores(updated)
    return recount


def _write_scores(rows: list[tuple[int, float, list, str]]) -> None:
    """(id, score, spans, scored_texts) written, one UPDATE per row sent together
    (executemany: psycopg pipelines them). bulk_update's CASE per row and field took
    most of a first re-scoring's time in Python (12,000 matches: ~20 s of 30)."""
    if not rows:
        return
    spans = ClaimMatch._meta.get_field("spans")
    table = connection.ops.quote_name(ClaimMatch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET score = %s, spans = %s, scored_texts = %s WHERE id = %s",  # noqa: S608
            [
                (score, spans.get_db_prep_save(found, connection), key, pk)
                for pk, score, found, key in rows
            ],
        )


def _scored_otherwise(changed: list[int]) -> list[tuple]:
    """The matches of the ``changed`` claims (either direction) whose figures are not
    of their two texts as they are now: (id, claim, matched claim, state, score,
    spans, the claim's text, the other's). Read as plain rows, the spans only of
    those (a changed claim's matches scored already are most of them, run after run)."""
    rows = ClaimMatch.objects.filter(Q(claim_id__in=changed) | Q(matched_claim_id__in=changed))
    stale = []
    for pk, owner, other_id, state, score, key, text, other, checked in rows.values_list(
        "pk", "claim_id", "matched_claim_id", "state", "score", "scored_texts",
        "claim__text", "matched_claim__text", "matched_factcheck__claim_text",
    ):  # fmt: skip
        other = other if other is not None else checked
        if key != scored_texts(text, other):
            stale.append((pk, owner, other_id, state, score, text, other))
    spans = {}
    for first in range(0, len(stale), 500):
        ids = [row[0] for row in stale[first : first + 500]]
        spans.update(ClaimMatch.objects.filter(pk__in=ids).values_list("pk", "spans"))
    return [(*row[:5], spans.get(row[0], []), *row[5:]) for row in stale]


def scored_texts(text: str, other: str) -> str:
    """Which two texts a match's score and spans are of (ClaimMatch.scored_texts): 16
    hex digits of a hash of both, the match's own claim's text first."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(text.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(other.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def claim_matches_find_safely(
    *, claim_ids: list[int], reraise: tuple[type[Exception], ...] = ()
) -> int:
    """The pipeline's call: a matching failure is logged and never fails the
    analysis that has already been saved. Returns the number of new matches.
    ``reraise``: the errors raised all the same (the task retries transient ones)."""
    try:
        return len(claim_matches_find(claim_ids=claim_ids))
    except reraise:
        raise
    except Exception:  # a broken candidate query must not undo a finished analysis
        log.exception("claim matching failed for %d claims", len(claim_ids))
        return 0


# --- Editors' decisions --------------------------------------------------------------


def _describe(match: ClaimMatch, about: Claim) -> str:
    if match.matched_factcheck_id:
        return f"fact-check #{match.matched_factcheck_id}"
    other = match.matched_claim_id if match.claim_id == about.pk else match.claim_id
    return f"claim #{other}"


def _decide(*, match: ClaimMatch, user, state: str, note: str) -> ClaimMatch:
    if not user.has_perm(VERDICT):
        raise NotPermitted("Only editors can confirm or reject a match.")
    now = timezone.now()
    # Conditional: two editors deciding at once, the second is told, not obeyed.
    decided = ClaimMatch.objects.filter(pk=match.pk, state=MatchState.SUGGESTED).update(
        state=state, decided_by=user, decided_at=now
    )
    if not decided:
        match.refresh_from_db()
        raise WorkflowError(f"This match was already {match.get_state_display().lower()}.")
    match.state, match.decided_by, match.decided_at = state, user, now
    action = "match_confirmed" if state == MatchState.CONFIRMED else "match_rejected"
    ClaimChange.objects.create(
        claim_id=match.claim_id,
        user=user,
        action=action,
        changes={"match": [None, f"{state}: {_describe(match, match.claim)}"]},
        note=note,
    )
    return match


def _join_clusters(a: int, b: int) -> int:
    """One cluster for claims a and b and everything clustered with either; its id is
    the smallest claim id among them. Returns it."""
    pair = Claim.objects.filter(pk__in=[a, b]).values_list("pk", "cluster_id")
    ids = {x for row in pair for x in row if x is not None}
    clusters = [c for _, c in pair if c is not None]
    members = Q(pk__in=[a, b]) | Q(cluster_id__in=clusters)
    cluster = min(ids)
    Claim.objects.filter(members).update(cluster_id=cluster, updated_at=timezone.now())
    return cluster


def claim_match_confirm(*, match: ClaimMatch, user, note: str = "") -> ClaimMatch:
    """An editor confirms that the two say the same thing: a match with another claim
    joins their clusters (a verdict on one is then suggested to the others)."""
    with transaction.atomic():
        match = _decide(match=match, user=user, state=MatchState.CONFIRMED, note=note)
        if match.matched_claim_id:
            _join_clusters(match.claim_id, match.matched_claim_id)
            claim_repeats_update(claim_ids=[match.claim_id, match.matched_claim_id])
        webhooks_matched(matches=[match])
    return match


def claim_match_reject(*, match: ClaimMatch, user, note: str = "") -> ClaimMatch:
    """An editor says they do not: the match is kept as rejected, never suggested again
    (nor counted as a repeat any more)."""
    with transaction.atomic():
        match = _decide(match=match, user=user, state=MatchState.REJECTED, note=note)
        if match.matched_claim_id:
            claim_repeats_update(claim_ids=[match.claim_id, match.matched_claim_id])
        return match


# --- Repetition ----------------------------------------------------------------------


def _strong_links(ids: set[int]) -> list[tuple[int, int, int, int]]:
    """(claim, its article, matched claim, its article) of the suggested matches
    strong enough to count as repeats, touching any of ``ids``."""
    return list(
        ClaimMatch.objects.filter(
            Q(claim_id__in=ids) | Q(matched_claim_id__in=ids),
            state=MatchState.SUGGESTED,
            score__gte=settings.CLUSTER_REPEAT_SCORE,
            matched_claim__isnull=False,
        ).values_list(
            "claim_id", "claim__article_id", "matched_claim_id", "matched_claim__article_id"
        )
    )


def claim_repeats_update(*, claim_ids) -> int:
    """Recount ``Claim.repeats`` (in how many articles a claim is made) for these
    claims, the members of their clusters and their strong suggested matches: the
    claims whose count a confirmation, a rejection or a new match can change. Then an
    open claim reaching CLUSTER_PRIORITY_REPEATS gets its priority raised (once).

    A repeat is an article, not a claim: a claim made twice in one article and once
    elsewhere is repeated in 2 articles. A cluster counts whole; a strong suggested
    match (score >= CLUSTER_REPEAT_SCORE) counts its own article only, so a pending
    suggestion never pulls a whole cluster in. A handful of queries whatever the
    number of claims: on PostgreSQL one statement counts and writes (REPEATS_SQL),
    elsewhere one UPDATE per distinct count. Returns how many claims changed."""
    ids = {int(pk) for pk in claim_ids}
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        with transaction.atomic():
            changed, due = _repeats_update_postgres(ids)
            _priority_raise(due)
        return changed
    counts = _repeats_count(ids)
    by_count: dict[int, list[int]] = {}
    for pk, count in counts.items():
        by_count.setdefault(count, []).append(pk)
    changed = 0
    with transaction.atomic():
        for count, pks in by_count.items():
            changed += Claim.objects.filter(pk__in=pks).exclude(repeats=count).update(repeats=count)
        _priority_raise(list(counts))
    return changed


def _repeats_count(ids: set[int]) -> dict[int, int]:
    """claim_repeats_update's count in Python (what SQLite runs; REPEATS_SQL is the
    same rule): each counted claim's number of articles."""
    links = _strong_links(ids)
    affected = ids | {pk for a, _, b, _ in links for pk in (a, b)}
    if affected - ids:  # the neighbours' own links count for their own totals
        links = _strong_links(affected)
    rows = list(Claim.objects.filter(pk__in=affected).values_list("pk", "cluster_id", "article_id"))
    clusters = {cluster for _, cluster, _ in rows if cluster is not None}
    members = Claim.objects.filter(cluster_id__in=clusters)
    rows += list(members.values_list("pk", "cluster_id", "article_id"))
    articles: dict[int, set[int]] = {}  # per claim: its own and its links' articles
    cluster_articles: dict[int, set[int]] = {}
    for pk, cluster, article in rows:
        articles.setdefault(pk, set()).add(article)
        if cluster is not None:
            cluster_articles.setdefault(cluster, set()).add(article)
    for a, art_a, b, art_b in links:
        articles.setdefault(a, set()).add(art_b)
        articles.setdefault(b, set()).add(art_a)
    cluster_of = {pk: cluster for pk, cluster, _ in rows}
    counts = {}
    for pk, arts in articles.items():
        if pk not in cluster_of:  # a link's far end that no longer exists
            continue
        cluster = cluster_of[pk]
        total = arts | cluster_articles.get(cluster, set()) if cluster is not None else arts
        counts[pk] = len(total)
    return counts


# claim_repeats_update's count on PostgreSQL: one statement, the same rule as the
# Python code (which SQLite runs). "affected": the given claims and both ends of
# their strong links (m.state = suggested, m.score >= CLUSTER_REPEAT_SCORE, with a
# claim); "counted": those and every member of their clusters; "made": each counted
# claim's articles, its own, its cluster's, and the far ends' of its strong links
# that touch an affected claim. The changed counts are written by the same statement.
# Before, on the bench's copies (each claim strongly linked to its copy in every
# earlier article): the links sent to Python, over a thousand rows by the tenth copy,
# counted there, and written by one UPDATE per distinct count, their ids listed.
REPEATS_SQL = """
WITH affected AS (
  SELECT unnest(%(ids)s::bigint[]) AS id
  UNION
  SELECT unnest(ARRAY[m.claim_id, m.matched_claim_id]) FROM claims_claimmatch m
  WHERE m.claim_id = ANY(%(ids)s::bigint[])
    AND m.state = %(suggested)s AND m.score >= %(score)s AND m.matched_claim_id IS NOT NULL
  UNION
  SELECT unnest(ARRAY[m.claim_id, m.matched_claim_id]) FROM claims_claimmatch m
  WHERE m.matched_claim_id = ANY(%(ids)s::bigint[])
    AND m.state = %(suggested)s AND m.score >= %(score)s
), links AS (
  SELECT m.claim_id AS a, m.matched_claim_id AS b FROM claims_claimmatch m
  WHERE m.claim_id = ANY(ARRAY(SELECT id FROM affected))
    AND m.state = %(suggested)s AND m.score >= %(score)s AND m.matched_claim_id IS NOT NULL
  UNION
  SELECT m.claim_id, m.matched_claim_id FROM claims_claimmatch m
  WHERE m.matched_claim_id = ANY(ARRAY(SELECT id FROM affected))
    AND m.state = %(suggested)s AND m.score >= %(score)s
), counted AS (
  SELECT id, cluster_id, article_id FROM claims_claim
  WHERE id = ANY(ARRAY(SELECT id FROM affected))
  UNION
  SELECT id, cluster_id, article_id FROM claims_claim
  WHERE cluster_id = ANY(ARRAY(
    SELECT cluster_id FROM claims_claim
    WHERE id = ANY(ARRAY(SELECT id FROM affected)) AND cluster_id IS NOT NULL
  ))
), ends AS (  -- the links' far ends with their articles, each read once
  SELECT id, article_id FROM claims_claim
  WHERE id = ANY(ARRAY(SELECT a FROM links UNION SELECT b FROM links))
), made AS (
  SELECT id, article_id FROM counted
  UNION
  SELECT c.id, o.article_id FROM counted c JOIN counted o ON o.cluster_id = c.cluster_id
  UNION
  SELECT links.a, far.article_id FROM links JOIN ends far ON far.id = links.b
  WHERE links.a IN (SELECT id FROM counted)
  UNION
  SELECT links.b, far.article_id FROM links JOIN ends far ON far.id = links.a
  WHERE links.b IN (SELECT id FROM counted)
), counts AS (
  SELECT id, count(*) AS repeats FROM made GROUP BY id
), changed AS (
  UPDATE claims_claim c SET repeats = counts.repeats FROM counts
  WHERE c.id = counts.id AND c.repeats <> counts.repeats
  RETURNING c.id
)
SELECT (SELECT count(*) FROM changed), (
  -- _priority_raise's candidates, by their new counts (it checks them again, locked)
  SELECT array_agg(c.id) FROM counts JOIN claims_claim c ON c.id = counts.id
  WHERE counts.repeats >= %(threshold)s AND c.priority > %(high)s
    AND c.status = ANY(%(open)s::text[])
    AND NOT EXISTS (
      SELECT 1 FROM claims_claimchange h WHERE h.claim_id = c.id AND h.action = %(raised)s
    )
)
"""


def _repeats_update_postgres(ids: set[int]) -> tuple[int, list[int]]:
    """REPEATS_SQL: how many claims changed, and those of the claims counted that
    _priority_raise may raise (before, it read all the claims counted: ~350 ids
    listed, a raise due on few of them)."""
    params = {
        "ids": sorted(ids),
        "suggested": MatchState.SUGGESTED.value,
        "score": settings.CLUSTER_REPEAT_SCORE,
        "threshold": settings.CLUSTER_PRIORITY_REPEATS,
        "high": int(Priority.HIGH),
        "open": [str(status) for status in OPEN_STATUSES],
        "raised": PRIORITY_RAISED,
    }
    with connection.cursor() as cursor:
        cursor.execute(REPEATS_SQL, params)
        changed, due = cursor.fetchone()
    return changed, due or []


def claim_repeat_neighbours(*, claim_ids) -> set[int]:
    """The other claims whose repeat count counts these (their strong suggested
    matches and their clusters' members): what to recount once these are deleted
    (a re-analysis drops the claims its text no longer has)."""
    ids = {int(pk) for pk in claim_ids}
    others = {pk for a, _, b, _ in _strong_links(ids) for pk in (a, b)}
    clusters = Claim.objects.filter(pk__in=ids, cluster_id__isnull=False).values("cluster_id")
    others |= set(Claim.objects.filter(cluster_id__in=clusters).values_list("pk", flat=True))
    return others - ids


def claim_repeats_recount(*, batch: int = 2000) -> int:
    """Recount every claim that has a cluster or a match with another claim (what
    the repeat count of a database matched before it existed needs once). Returns
    how many claims changed."""
    linked = (
        Claim.objects.filter(
            Q(cluster_id__isnull=False)
            | Q(matches__matched_claim__isnull=False)
            | Q(matched_by__isnull=False)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    changed, after = 0, 0
    while ids := list(linked.filter(pk__gt=after)[:batch]):
        changed += claim_repeats_update(claim_ids=ids)
        after = ids[-1]
    return changed


def _priority_raise(ids: list[int]) -> None:
    """Open claims among ``ids`` made in CLUSTER_PRIORITY_REPEATS articles or more go
    up to High priority, once in a claim's life (an editor who lowers it again is not
    overruled), each as a recorded "planned" change with the reason in its note."""
    threshold = settings.CLUSTER_PRIORITY_REPEATS
    if not threshold or not ids:
        return
    raised = ClaimChange.objects.filter(claim_id=OuterRef("pk"), action=PRIORITY_RAISED)
    due = list(
        Claim.objects.select_for_update()
        .filter(
            pk__in=ids,
            repeats__gte=threshold,
            priority__gt=Priority.HIGH,
            status__in=OPEN_STATUSES,
        )
        .exclude(Exists(raised))
        .order_by("pk")
        .values_list("pk", "priority", "repeats")
    )
    if not due:
        return
    Claim.objects.filter(pk__in=[pk for pk, _, _ in due]).update(
        priority=Priority.HIGH, version=F("version") + 1, updated_at=timezone.now()
    )
    ClaimChange.objects.bulk_create(
        ClaimChange(
            claim_id=pk,
            user=None,
            action=PRIORITY_RAISED,
            changes={"priority": [before, int(Priority.HIGH)]},
            note=f"Repeated in {repeats} articles: priority raised to High.",
        )
        for pk, before, repeats in due
    )


def claim_verdict_accept(*, claim: Claim, source: Claim, user, expected_version: int):
    """Take the verdict of another member of the claim's cluster: a recorded
    transition (two, from unstarted: started, then the verdict) whose note points to
    the original. Returns the last StatusChange."""
    if not user.has_perm(VERDICT):
        raise NotPermitted("Only editors can give a claim a verdict.")
    # The cluster and the verdict as they are now, not as the caller loaded them.
    source = Claim.objects.select_related("article").get(pk=source.pk)
    claim.cluster_id = Claim.objects.values_list("cluster_id", flat=True).get(pk=claim.pk)
    if not claim.cluster_id or claim.cluster_id != source.cluster_id or claim.pk == source.pk:
        raise WorkflowError(f"Claim #{source.pk} is not in this claim's cluster.")
    if source.status not in VERDICTS:
        raise WorkflowError(f"Claim #{source.pk} has no verdict to take.")
    title = source.article.title or f"article {source.article_id}"
    note = f"Verdict from claim #{source.pk} (article #{source.article_id}: {title})"
    with transaction.atomic():
        version = expected_version
        if claim.status == "unstarted":
            claim_transition(
                claim=claim,
                to_status="in_progress",
                user=user,
                note=f"Started to take the verdict from claim #{source.pk}",
                expected_version=version,
            )
            version = claim.version
        return claim_transition(
            claim=claim, to_status=source.status, user=user, note=note, expected_version=version
        )
