"""On PostgreSQL, the database itself refuses to change or delete history rows,
whatever path a request takes (raw SQL, a queryset.update(), a bug)."""

from django.db import migrations

TABLES = ("claims_statuschange", "claims_claimchange")

CREATE = """
CREATE OR REPLACE FUNCTION claims_history_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '%% rows are history: they cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (embedded mode): the models refuse it; there is no second writer
    schema_editor.execute(CREATE)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION claims_history_is_append_only()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS claims_history_is_append_only()")


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_claim_history")]
    operations = [migrations.RunPython(forwards, backwards)]
