"""An index on FactCheck (reviewed_at DESC, id DESC), the library's order (the
admin's list), built with CREATE INDEX CONCURRENTLY on PostgreSQL; reversible."""

from django.db import migrations, models
from django.db.models import F

from claims.migrations._concurrently import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("claims", "0031_claimchange_time_index")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="factcheck",
            index=models.Index(F("reviewed_at").desc(), F("id").desc(), name="factcheck_reviewed"),
        ),
    ]
