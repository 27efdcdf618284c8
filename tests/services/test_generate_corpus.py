"""manage.py generate_corpus: counts, the models' constraints, and distributions
roughly like a newsroom's, on SQLite (batched INSERTs) and PostgreSQL (COPY)."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from claims.analysis.confidence import level_for, merge_policy
from claims.domain import content_hash
from claims.models import Article, Claim, ClaimStatus, HedgeCue, StatusChange
from claims.roles import FACT_CHECKER
from tests.factories import ClaimFactory


def generate(n: int, *args: str) -> str:
    out = StringIO()
    call_command("generate_corpus", "--claims", str(n), *args, stdout=out)
    return out.getvalue()


def check_corpus(n: int) -> None:
    assert Claim.objects.count() == n
    articles = list(Article.objects.all())
    assert len({a.content_hash for a in articles}) == len(articles)
    sizes = Counter(Claim.objects.values_list("article_id", flat=True))
    assert 5 <= statistics.median(sizes.values()) <= 40
    policy = merge_policy(settings.CONFIDENCE_POLICY)
    by_article = {a.pk: a for a in articles}
    hedges: dict[int, set] = {}
    for h in HedgeCue.objects.all():
        hedges.setdefault(h.claim_id, set()).add(h.category)
    statuses, levels, sources = Counter(), Counter(), Counter()
    for c in Claim.objects.all():
        raw = by_article[c.article_id].raw_text
        assert raw[c.start : c.end] == c.text
        assert c.sentence_start <= c.start < c.end <= c.sentence_end
        if c.source_start is not None:
            assert raw[c.source_start : c.source_end] == c.source_text
        score = policy["base"][c.sourcing_strength]
        for cat in hedges.get(c.pk, ()):
            score *= policy["penalty"][cat]
        assert c.confidence_score == pytest.approx(score, abs=1e-4)
        assert c.confidence_level == level_for(c.confidence_score, policy["levels"])
        assert (c.assignee_id is not None) or c.status == ClaimStatus.UNSTARTED
        assert c.version == 1 + c.status_changes.count() + c.changes.count()
        statuses[c.status] += 1
        levels[c.confidence_level] += 1
        sources[c.source_type] += 1
    assert statuses["unstarted"] > n * 0.5
    assert len(statuses) >= 5 and len(levels) == 4 and len(sources) == 6
    assert 0.2 < len(hedges) / n < 0.8
    for h in HedgeCue.objects.select_related("claim")[:200]:
        claim = h.claim
        assert claim.start <= h.start < h.end <= claim.end
        assert claim.text[h.start - claim.start : h.end - claim.start] == h.text
    worked = Claim.objects.exclude(status=ClaimStatus.UNSTARTED)
    assert StatusChange.objects.filter(claim__in=worked).values("claim").distinct().count() == (
        worked.count()
    )


@pytest.mark.django_db
def test_sqlite_corpus_counts_constraints_and_distributions():
    out = generate(300, "--seed", "7", "--articles-per-batch", "5")
    assert "300 claims" in out
    check_corpus(300)
    # Assignees are fact-checkers (generated ones when there are no demo users).
    assignees = Claim.objects.exclude(assignee=None).values_list(
        "assignee__groups__name", flat=True
    )
    assert set(assignees) == {FACT_CHECKER}
    # Full-text words: the vocabulary is real English.
    assert Claim.objects.filter(text__icontains="council").exists()
    # The analysis blob weighs about what the engine's does (~800 bytes a claim).
    blob = sum(len(json.dumps(a.analysis_data)) for a in Article.objects.all())
    assert 400 < blob / 300 < 1600
    # Hashed as ingest hashes (of the text's hash form): pasted again, a duplicate.
    article = Article.objects.first()
    assert article.content_hash == content_hash(article.raw_text)
    # A second run adds as many again, with new content hashes.
    generate(300, "--seed", "7")
    assert Claim.objects.count() == 600


@pytest.mark.django_db
def test_clear_refuses_real_articles_unless_forced():
    generate(50, "--seed", "1")
    generate(40, "--seed", "2", "--clear")
    assert Claim.objects.count() == 40
    ClaimFactory()  # an article a person pasted
    with pytest.raises(CommandError, match="not generated"):
        generate(10, "--clear")
    generate(10, "--clear", "--force", "--no-analysis-data")
    assert Claim.objects.count() == 10
    assert all(a.analysis_data == {} for a in Article.objects.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_copy_path():
    assert connection.vendor == "postgresql"
    generate(2000, "--seed", "3")
    check_corpus(2000)
    # Ids came from the sequences: the ORM's next insert does not collide.
    ClaimFactory()
    # History written by COPY is still append-only (the trigger), and --clear
    # empties it with TRUNCATE.
    with pytest.raises(Exception, match="history"), connection.cursor() as cur:
        cur.execute("DELETE FROM claims_statuschange")
    generate(100, "--clear", "--force")
    assert Claim.objects.count() == 100


@pytest.mark.django_db
def test_a_long_article_at_the_ingest_limit():
    out = generate(30, "--seed", "5", "--big-article-kb", "300", "--no-analysis-data")
    big = max(Article.objects.all(), key=lambda a: len(a.raw_text))
    n = big.claims.count()
    assert len(big.raw_text.encode()) >= 300 * 1024
    assert f"long article {big.pk}: " in out and f"{n} claims" in out
    assert n > 1000  # a claim or more per paragraph, like the engine finds in news
    for c in big.claims.all()[:50]:
        assert big.raw_text[c.start : c.end] == c.text
