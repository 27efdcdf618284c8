"""Recompute content_hash of the texts stored before it was taken of the text's
hash form (claims.domain.hash_form): an old text pasted again with a trailing
newline, indented or with a no-break space is then found as the duplicate.

Both tables' content_hash is unique, and the old hashes let such variants in as
separate articles (or versions): after normalising they would share one digest.
Each new digest is given to the rows of one article only, decided across both
tables at once: the article that holds it already (its text is in hash form),
else the one whose version row holds it, else the lowest article id with that
text, else the article of the lowest version row. That article's current
version row (the row of its current text) gets exactly what the article gets,
so the first version row article_version_add copies from an article never meets
another's row. Every other row with that digest keeps its old one, still a
separate article (or version), counted in the output.

The hash form and the digest are frozen here (a copy of claims.domain's at the
time), so that this migration does the same whatever that code becomes.
Reverse: nothing (the old digests, of the raw texts, are not kept; a rolled-back
database keeps the new ones, which the code before 0027 never compares with a
new text's raw digest: such an old text is then seen as new, as before 0027).

Batched by id (BATCH rows read at a time, only ids, text and digest): 50,000
articles are 100 reads and as many bulk updates; claims are not touched.
"""

import hashlib
import re
import unicodedata

from django.db import migrations

BATCH = 500
# Articles being fetched hold a placeholder ("fetching:<uuid>"), not a digest.
PLACEHOLDER = "fetching:"

# claims.domain.hash_form / content_hash as of this migration.
_LINE_BREAK = re.compile(r"\r\n|[\r\x85\u2028\u2029\v\f]")
_SPACE = re.compile(r"[^\S\n]")
_TRAILING_SPACES = re.compile(r" +$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def hash_form(text: str) -> str:
    text = _LINE_BREAK.sub("\n", unicodedata.normalize("NFC", text))
    text = _TRAILING_SPACES.sub("", _SPACE.sub(" ", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(hash_form(text).encode("utf-8")).hexdigest()


def _rows(model, *fields) -> list[tuple]:
    """(pk, old digest, new digest, *fields) of every row with a digest, by id."""
    rows, last = [], 0
    while True:
        batch = list(
            model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "raw_text", "content_hash", *fields)[:BATCH]
        )
        if not batch:
            break
        last = batch[-1][0]
        rows += [
            (pk, old, content_hash(text), *rest)
            for pk, text, old, *rest in batch
            if not old.startswith(PLACEHOLDER)
        ]
    return rows


def _plan(articles: list[tuple], versions: list[tuple]):
    """The new digest of each article and version row to change."""
    owner: dict[str, int] = {}  # new digest -> the article whose rows get it
    for pk, old, new, _ in articles:
        if old == new:
            owner.setdefault(new, pk)
    for _, old, new, article_id, _ in versions:
        if old == new:
            owner.setdefault(new, article_id)
    for pk, _, new, _ in articles:  # in id order: the lowest id
        owner.setdefault(new, pk)
    for _, _, new, article_id, _ in versions:
        owner.setdefault(new, article_id)

    article_changes = {pk: new for pk, old, new, _ in articles if old != new and owner[new] == pk}
    final = {pk: article_changes.get(pk, old) for pk, old, _, _ in articles}
    current = {pk: (new, number) for pk, _, new, number in articles}

    taken = {old for _, old, _, _, _ in versions}  # the version table's unique digests
    version_changes: dict[int, str] = {}
    later: list[tuple] = []
    for pk, old, new, article_id, number in versions:
        if article_id in current and current[article_id] == (new, number):
            # The row of the article's current text: exactly the article's digest.
            digest = final[article_id]
            if digest != old and digest not in taken:
                version_changes[pk] = digest
                taken.add(digest)
        else:
            later.append((pk, old, new, article_id))
    for pk, old, new, article_id in later:
        # An earlier version's row: the new digest if its article owns it and does
        # not hold it as its current text (then that text's row has it).
        if old != new and owner[new] == article_id and final.get(article_id) != new:
            if new not in taken:
                version_changes[pk] = new
                taken.add(new)
    return article_changes, version_changes


def _apply(model, changes: dict[int, str]) -> None:
    ids = sorted(changes)
    for i in range(0, len(ids), BATCH):
        objs = [model(pk=pk, content_hash=changes[pk]) for pk in ids[i : i + BATCH]]
        model.objects.bulk_update(objs, ["content_hash"])


def forwards(apps, schema_editor):
    Article = apps.get_model("claims", "Article")
    ArticleVersion = apps.get_model("claims", "ArticleVersion")
    articles = _rows(Article, "version")
    versions = _rows(ArticleVersion, "article_id", "number")
    article_changes, version_changes = _plan(articles, versions)
    _apply(ArticleVersion, version_changes)
    _apply(Article, article_changes)
    for name, rows, changes in (
        ("Article", articles, article_changes),
        ("ArticleVersion", versions, version_changes),
    ):
        kept = sum(1 for pk, old, new, *_ in rows if old != new and pk not in changes)
        if kept:
            print(
                f"\n  {name}: {kept} row(s) whose text differs from another's only in "
                "spacing keep their old content_hash (they were separate already)."
            )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0026_claim_db_defaults"),
    ]

    # No reverse: the digests of the raw texts are not recoverable (see above).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
