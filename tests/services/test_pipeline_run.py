"""The analysis as one task (services.analysis_run): the same rows as the four
steps of earlier deployments, in batched statements, idempotent under
redelivery; and the tasks on their queues."""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services, tasks
from claims.models import AnalysisState, Article, Claim, HedgeCue, Source
from claims.services import article_ingest
from claims.services.sources import sources_resolve
from tests.factories import editor
from tests.services.conftest import SEED
from tests.services.test_reanalysis import assert_no_duplicate_claims, spans

pytestmark = pytest.mark.django_db

CLAIM_FIELDS = [
    "position", "text", "start", "end", "sentence_start", "sentence_end", "kind", "origin",
    "checkworthiness", "fingerprint", "source_text", "source_type", "source_start",
    "source_end", "source_mention", "source_verb", "source_role", "source_via",
    "source_relayed", "sourcing_strength", "confidence_score", "confidence_level",
    "confidence_reasons", "missing_from_analysis", "source_id",
]  # fmt: skip


def rows(article: Article) -> list[tuple]:
    claims = list(article.claims.order_by("position").values_list("pk", *CLAIM_FIELDS))
    hedges = set(
        HedgeCue.objects.filter(claim__article=article).values_list(
            "claim_id", "text", "category", "start", "end"
        )
    )
    return claims, hedges


def run_once(article: Article) -> None:
    services.analysis_run(article_id=article.pk, run_id=article.run_id)


def test_one_task_writes_what_the_four_steps_wrote(seed_text):
    article = article_ingest(text=seed_text).article  # on-commit not run: still queued
    kwargs = {"article_id": article.pk, "run_id": article.run_id}
    services.analysis_extract(**kwargs)
    services.analysis_tag_sourcing(**kwargs)
    services.analysis_tag_hedging(**kwargs)
    services.analysis_score(**kwargs)
    stepwise = rows(article)
    assert stepwise[1], "the seed has hedged claims"

    services.article_reanalyze(article=article)  # a new run, not yet published
    article.refresh_from_db()
    run_once(article)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED and article.times_analyzed == 2
    # Same claims (same ids: updated in place), same sources, scores and hedges.
    assert rows(article) == stepwise
    assert article.analysis_data == {}  # no blob handed over, none left behind


def test_a_redelivered_run_does_not_double_claims_or_analyses(seed_text):
    article = article_ingest(text=seed_text).article
    run_once(article)
    first = spans(article)
    with pytest.raises(services.StaleRun):
        run_once(article)  # the run is finished
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED
    assert article.times_analyzed == 1 and article.attempts == 1
    assert spans(article) == first
    assert_no_duplicate_claims(article)


def test_a_run_superseded_during_the_engine_saves_nothing(seed_text, monkeypatch):
    article = article_ingest(text=seed_text).article
    old_run = article.run_id
    real_extract = services.pipeline.analysis.extract

    def superseded_meanwhile(text, **kwargs):
        services.article_reanalyze(article=Article.objects.get(pk=article.pk))
        return real_extract(text, **kwargs)

    monkeypatch.setattr(services.pipeline.analysis, "extract", superseded_meanwhile)
    with pytest.raises(services.StaleRun):
        services.analysis_run(article_id=article.pk, run_id=old_run)
    article.refresh_from_db()
    assert article.state == AnalysisState.QUEUED and article.run_id != old_run
    assert article.claims.count() == 0 and article.times_analyzed == 0


WRITES = ("INSERT", "UPDATE", "DELETE")


def test_a_run_writes_claims_in_batches_not_one_by_one(seed_text):
    head, _, body = SEED.read_text(encoding="utf-8").partition("\n\n")
    longer = head + "\n\n" + "\n\n".join(f"Part {i}.\n\n{body}" for i in range(6))
    counts = []
    for text in (seed_text, longer):
        article = article_ingest(text=text).article
        with CaptureQueriesContext(connection) as queries:
            run_once(article)
        # Writes only: claim matching reads candidates claim by claim on PostgreSQL
        # (one indexed query each, by design); what must come in batches is writing.
        writes = [q for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
        counts.append((article.claims.count(), len(writes)))
    (few, short_queries), (many, long_queries) = counts
    assert many > 5 * few
    # Batches, not a statement per claim (SQLite caps a statement at 999
    # parameters, so its batches are smaller than PostgreSQL's). Two kinds of rows
    # are written in batches: the claims, and the matches claim matching finds (here
    # every claim of the long article repeats one of the first: ~1 match a claim).
    assert long_queries - short_queries <= (many - few) / 10, counts


def claim_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
        and '"claims_claim"' in q["sql"].split("(")[0].split(" SET ")[0]
    ]


def test_a_run_writes_each_claim_once_with_its_source(seed_text):
    """Issue 12: each claim's source is decided before the claims are inserted;
    an UPDATE of source_id after the insert rewrote every row (and each of its
    index entries, on PostgreSQL)."""
    article = article_ingest(text=seed_text).article
    with CaptureQueriesContext(connection) as queries:
        run_once(article)
    writes = claim_writes(queries)
    assert writes and all(w.lstrip().upper().startswith("INSERT") for w in writes), writes
    linked = dict(article.claims.values_list("pk", "source_id"))
    assert any(linked.values()) and not all(linked.values())  # named sources and unnamed
    sources = Source.objects.count()
    # Linked as the resolver links them: resolving again changes no claim, no source.
    sources_resolve(claim_ids=list(linked))
    assert dict(article.claims.values_list("pk", "source_id")) == linked
    assert Source.objects.count() == sources


def test_a_rerun_keeps_a_corrected_source_and_relinks_the_others(seed_text):
    article = article_ingest(text=seed_text).article
    run_once(article)
    claim = article.claims.exclude(source=None).order_by("position").first()
    other = article.claims.exclude(source=None).exclude(pk=claim.pk).first()
    services.claim_correct(
        claim=claim, user=editor(), expected_version=claim.version, source_text="Marta Lopez"
    )
    Claim.objects.filter(pk=other.pk).update(source=None)  # say, a source deleted meanwhile
    services.article_reanalyze(article=article)
    article.refresh_from_db()
    run_once(article)
    claim.refresh_from_db()
    other_before, other = other.source_id, Claim.objects.get(pk=other.pk)
    assert claim.source_text == "Marta Lopez" and claim.source.name == "Marta Lopez"
    assert other.source_id == other_before


@pytest.mark.postgres
def test_a_run_inserts_its_claims_as_one_document_on_postgresql(seed_text):
    """Issue 12: a claim batch as one parameter, a JSON document (not ~50
    placeholders a row, which psycopg parsed on the client at every execution, nor
    an array per column, which it writes element by element in Python); the
    search vector is still filled by its trigger."""
    article = article_ingest(text=seed_text).article
    with CaptureQueriesContext(connection) as queries:
        run_once(article)
    inserts = [w for w in claim_writes(queries) if w.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "jsonb_to_recordset(" in inserts[0], inserts
    assert article.claims.count() > 1
    assert not article.claims.filter(search_vector=None).exists()
    # The JSON of the scores went in as JSON: scoring the saved claims again, and
    # writing them through an UPDATE, gives the same rows.
    inserted = rows(article)
    assert all(r[CLAIM_FIELDS.index("confidence_reasons") + 1] for r in inserted[0])
    services.pipeline._write_scores(article.claims.all())
    assert rows(article) == inserted


def test_the_fields_the_analysis_insert_leaves_out_default_alike_in_the_database():
    """Issue 12: the analysis inserts a new claim without the columns it holds at
    their defaults; the database must fill each with the model's own default."""
    for name in services.pipeline.DEFAULTED_FIELDS:
        field = Claim._meta.get_field(name)
        if field.has_db_default():
            assert field.db_default == field.get_default(), name
        else:  # NULL, what the database puts in a column without a default
            assert field.null and field.get_default() is None, name


def test_the_analysis_insert_writes_the_rows_bulk_create_writes(seed_text):
    article = article_ingest(text=seed_text).article
    run_once(article)
    saved = list(article.claims.order_by("position"))
    copies = {}
    for insert in ("bulk_create", "analysis"):
        claims = [
            Claim(**{f.attname: getattr(c, f.attname) for f in Claim._meta.concrete_fields})
            for c in saved
        ]
        for claim in claims:
            claim.pk, claim.text_version = None, 7 if insert == "analysis" else 8
        # What JSON escapes, and what it need not (the insert writes it unescaped).
        claims[0].text += ' "quoted", back\\slash, été, 😀, tab\t, line\n, 100%s'
        claims[0].confidence_reasons = [*claims[0].confidence_reasons, {"nested": [1.5, None]}]
        if insert == "bulk_create":
            with CaptureQueriesContext(connection) as queries:
                Claim.objects.bulk_create(claims)
            if connection.vendor == "postgresql":  # claims.apps maps the search vector
                assert "UNNEST(" in queries[-1]["sql"]
        else:
            services.pipeline._claims_insert(claims)
        assert all(c.pk and not c._state.adding for c in claims)
        # The generated columns come back as bulk_create's do.
        assert [(c.level_rank, c.score_key) for c in claims] == [
            (c.level_rank, c.score_key) for c in saved
        ]
        copies[insert] = list(
            Claim.objects.filter(pk__in=[c.pk for c in claims])
            .order_by("position")
            .values(*(f.attname for f in Claim._meta.concrete_fields))
        )
    for row in (*copies["bulk_create"], *copies["analysis"]):
        for volatile in ("id", "text_version", "created_at", "updated_at"):
            del row[volatile]
    assert copies["analysis"] == copies["bulk_create"]


def test_a_defaulted_field_set_on_a_new_claim_is_written_all_the_same(seed_text):
    """The analysis's insert leaves DEFAULTED_FIELDS to the database only while every
    claim holds them at their defaults: one set otherwise is sent, not dropped."""
    from claims.models import Priority

    article = article_ingest(text=seed_text).article
    run_once(article)
    saved = list(article.claims.order_by("position")[:2])
    claims = [
        Claim(**{f.attname: getattr(c, f.attname) for f in Claim._meta.concrete_fields})
        for c in saved
    ]
    for claim in claims:
        claim.pk, claim.text_version = None, 9
    claims[0].priority, claims[1].notes = Priority.HIGH, "kept"
    services.pipeline._claims_insert(claims)
    back = Claim.objects.in_bulk([c.pk for c in claims])
    assert back[claims[0].pk].priority == Priority.HIGH
    assert back[claims[1].pk].notes == "kept"
    assert back[claims[1].pk].priority == Claim._meta.get_field("priority").get_default()


@pytest.mark.postgres
def test_a_batch_json_cannot_carry_goes_the_orm_way(seed_text):
    article = article_ingest(text=seed_text).article
    run_once(article)
    saved = article.claims.order_by("position").first()
    claim = Claim(**{f.attname: getattr(saved, f.attname) for f in Claim._meta.concrete_fields})
    claim.pk, claim.text_version, claim.confidence_score = None, 9, float("nan")
    services.pipeline._claims_insert([claim])
    assert claim.pk and math.isnan(Claim.objects.get(pk=claim.pk).confidence_score)


def test_the_engine_and_the_light_work_go_to_separate_queues():
    from tracker.celery import app

    def queue(task) -> str:
        return app.amqp.router.route({}, task.name)["queue"].name

    assert queue(tasks.analyze_article) == "analysis"
    for legacy in (tasks.extract_claims, tasks.tag_sourcing, tasks.tag_hedging):
        assert queue(legacy) == "analysis"
    assert queue(tasks.fetch_article) == "default"
    assert queue(tasks.requeue_stale_task) == "default"
    # A worker started without -Q takes every queue, including Celery's old
    # default, where an earlier deployment's tasks may wait.
    assert {"analysis", "default", "celery"} <= set(app.amqp.queues)


def test_a_source_longer_than_its_column_is_stored_with_its_span_cut_to_match(
    seed_text, monkeypatch
):
    """A "source" the engine reads from garbage (a paragraph of 200 KB with no full
    stop gave mentions of 544-1,290 characters) is kept, cut to the 500 characters
    the columns hold, span and mention together. The engine is made to return
    such a span here, on a normal article, so that the test stays fast."""
    real_attribute = services.pipeline.analysis.attribute
    widened = []

    def attribute_with_a_long_source(ex):
        real_attribute(ex)
        claim = next(c for c in ex.claims if c.source.start is not None)
        start = claim.source.start
        end = min(start + 900, len(seed_text))
        assert end - start > 500
        claim.source.end, claim.source.type = end, "named_organization"
        claim.source.text = claim.source.mention = seed_text[start:end]
        widened.append(start)

    monkeypatch.setattr(services.pipeline.analysis, "attribute", attribute_with_a_long_source)
    article = article_ingest(text=seed_text).article
    services.analysis_run(article_id=article.pk, run_id=article.run_id)
    cut = Claim.objects.filter(article=article, source_end=widened[0] + 500)
    assert cut.exists()
    for claim in cut:
        assert claim.source_start == widened[0] and len(claim.source_mention) == 500
        assert claim.source_mention == article.raw_text[claim.source_start : claim.source_end]
        assert claim.source_text == claim.source_mention
    for other in Claim.objects.filter(article=article).exclude(source_start=None):
        assert other.source_mention == article.raw_text[other.source_start : other.source_end]
