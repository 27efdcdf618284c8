from django.apps import AppConfig


def unnest_search_vectors(sender, connection, **kwargs) -> None:
    """Let Django's bulk insert on PostgreSQL (5.2) send a batch of claims as
    one array per column (INSERT ... SELECT * FROM UNNEST(...)) rather than a
    VALUES list of ~50 placeholders a row: a statement that long is parsed by
    psycopg on the client at every execution (it caches only short ones), and
    takes PostgreSQL longer to plan (Django's own reason for UNNEST). Django takes that way only for
    field types its backend maps, and SearchVectorField (the tsvector a trigger
    fills; the insert sends NULL) is not one of them. The column's type is the
    field's own db_type, "tsvector", whatever this map says (migrations unchanged)."""
    if connection.vendor == "postgresql":
        connection.data_types = {**connection.data_types, "SearchVectorField": "tsvector"}


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_delete, pre_save
        from knox.models import AuthToken

        from claims.tokens import end_tokens_on_password_or_active_change, revoke_children

        # A token deleted another way than token_revoke (the admin's knox "Auth
        # tokens") takes the tokens made with it too.
        pre_delete.connect(
            revoke_children, sender=AuthToken, dispatch_uid="claims.tokens.revoke_children"
        )

        pre_save.connect(
            end_tokens_on_password_or_active_change,
            sender=get_user_model(),
            dispatch_uid="claims.tokens.end_on_password_change",
        )
        connection_created.connect(
            unnest_search_vectors, dispatch_uid="claims.unnest_search_vectors"
        )
