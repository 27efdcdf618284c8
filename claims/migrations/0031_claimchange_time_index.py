"""An index on ClaimChange (created_at, id), the model's order (the admin's list
of changes), built with CREATE INDEX CONCURRENTLY on PostgreSQL; reversible."""

from django.db import migrations, models

from claims.migrations._concurrently import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("claims", "0030_claim_source_text_index")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="claimchange",
            index=models.Index(fields=["created_at", "id"], name="claimchange_time"),
        ),
    ]
