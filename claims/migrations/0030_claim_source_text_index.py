"""An index on Claim.source_text for the API's ?source=<name>, built with CREATE
INDEX CONCURRENTLY on PostgreSQL (no lock against the desk's writes while it
builds on a big table); reversible (DROP INDEX CONCURRENTLY)."""

from django.db import migrations, models

from claims.migrations._concurrently import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("claims", "0029_webhook_one_active_per_owner_url")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="claim",
            index=models.Index(fields=["source_text"], name="claim_source_text"),
        ),
    ]
