"""An index added without locking the table against writes on PostgreSQL
(CREATE INDEX CONCURRENTLY: minutes on a table of millions of rows, during which
the desk keeps working), and as a plain index elsewhere (SQLite, the embedded
mode, has no CONCURRENTLY). A migration using it sets ``atomic = False``.

The leading underscore keeps Django's migration loader from reading this module
as a migration."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
