"""Search (?q=) matches the article's title and publication as well as the claim:
Django's icontains there is UPPER(title) LIKE UPPER('%word%'), which without an
index read all 47k article rows of a million-claim corpus (153 ms a search). On
PostgreSQL a trigram GIN index on each expression serves it (pg_trgm, migration
0018). SQLite (embedded mode) has no GIN: nothing to do there."""

from django.db import migrations

INDEXES = {
    "article_title_trgm": "UPPER(title)",
    "article_publication_trgm": "UPPER(publication)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON claims_article "
            f"USING gin (({expression}) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0018_claim_matching")]
    operations = [migrations.RunPython(forwards, backwards)]
