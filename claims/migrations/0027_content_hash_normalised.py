"""Recompute content_hash of the texts stored before it was taken of the text's
hash form (claims.domain.hash_form): an old text pasted again with a trailing
newline, indented or with a no-break space is then found as the duplicate.

Both tables' content_hash is unique, and the old hashes let such variants in as
separate articles (or versions): after normalising they would share one digest.
Of each such group one row takes the new digest (a row whose text is already in
hash form, which holds it now, else the lowest id); the others keep their old
digest as they are, still separate articles, and are counted in the output.

Batched by id (BATCH rows read at a time, only id, text and digest): 50,000
articles are 100 reads and as many bulk updates; claims are not touched.
"""

from django.db import migrations

from claims.domain import content_hash

BATCH = 500
# Articles being fetched hold a placeholder ("fetching:<uuid>"), not a digest.
PLACEHOLDER = "fetching:"


def _plan(model) -> tuple[dict[int, str], int]:
    """id -> new digest for the rows to change, and how many keep the old one."""
    rows, last = [], 0
    while True:
        batch = list(
            model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "raw_text", "content_hash")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1][0]
        rows += [
            (pk, old, content_hash(text))
            for pk, text, old in batch
            if not old.startswith(PLACEHOLDER)
        ]
    owner = {new: pk for pk, old, new in rows if old == new}  # already in hash form
    for pk, old, new in rows:
        owner.setdefault(new, pk)  # rows are in id order: the lowest id
    changes = {pk: new for pk, old, new in rows if old != new and owner[new] == pk}
    kept = sum(1 for pk, old, new in rows if owner[new] != pk)
    return changes, kept


def _apply(model, changes: dict[int, str]) -> None:
    ids = sorted(changes)
    for i in range(0, len(ids), BATCH):
        objs = [model(pk=pk, content_hash=changes[pk]) for pk in ids[i : i + BATCH]]
        model.objects.bulk_update(objs, ["content_hash"])


def forwards(apps, schema_editor):
    for name in ("Article", "ArticleVersion"):
        model = apps.get_model("claims", name)
        changes, kept = _plan(model)
        _apply(model, changes)
        if kept:
            print(
                f"\n  {name}: {kept} row(s) whose text differs from another's only in "
                "spacing keep their old content_hash (they were separate already)."
            )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0026_claim_db_defaults"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
