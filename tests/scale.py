"""Big articles and corpora built fast (bulk_create), for the tests of issue 12:
pages and queries that do not grow with an article or with the corpus."""

from __future__ import annotations

from claims.domain import content_hash, fingerprint
from claims.models import Article, Claim, HedgeCue

LEVELS = [("very_low", 0.1), ("low", 0.35), ("medium", 0.6), ("high", 0.9)]
STATUSES = ["unstarted", "in_progress", "verified", "false"]
SOURCES = ["named_person", "unnamed", "government", "none"]
SENTENCE = "Officials said {i} dams were inspected. "


def article_with_claims(n: int, *, title: str = "Long article", blob_kb: int = 200) -> Article:
    """An analysed article of ``n`` sentences, one claim (with a hedge cue) in
    each, and an analysis blob of about ``blob_kb`` KB, as a long article has."""
    sentences = [SENTENCE.format(i=i) for i in range(n)]
    text = "".join(sentences)
    article = Article.objects.create(
        title=title,
        raw_text=text,
        content_hash=content_hash(title + text),
        state="analyzed",
        analysis_data={"sentences": ["BLOBMARK " * 100] * blob_kb},
    )
    claims, offset = [], 0
    for i, sentence in enumerate(sentences):
        start = offset + len("Officials said ")
        end = offset + len(sentence) - 2
        level, score = LEVELS[i % 4]
        claims.append(
            Claim(
                article=article,
                position=i,
                text=text[start:end],
                start=start,
                end=end,
                sentence_start=offset,
                sentence_end=offset + len(sentence) - 1,
                fingerprint=fingerprint(text[start:end] + str(i)),
                source_text="Officials",
                source_type=SOURCES[(i // 2) % 4],
                source_start=offset,
                source_end=offset + len("Officials"),
                confidence_level=level,
                confidence_score=score,
                checkworthiness=(i * 7919 % 1000) / 1000,
                status=STATUSES[(i // 4) % 4],
            )
        )
        offset += len(sentence)
    claims = Claim.objects.bulk_create(claims, batch_size=1000)
    HedgeCue.objects.bulk_create(
        [
            HedgeCue(
                claim=c, text="said", category="reportative", start=c.start - 5, end=c.start - 1
            )
            for c in claims
        ],
        batch_size=1000,
    )
    return article
