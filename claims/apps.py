from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from claims.tokens import end_tokens_on_password_or_active_change

        pre_save.connect(
            end_tokens_on_password_or_active_change,
            sender=get_user_model(),
            dispatch_uid="claims.tokens.end_on_password_change",
        )
