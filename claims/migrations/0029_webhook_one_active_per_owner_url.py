import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count


def one_active_per_owner_and_url(apps, schema_editor):
    """Before the constraint: of the active endpoints one owner has at one URL
    (two requests at once could store both), the oldest stays active and the
    others are turned off, with their delivery logs kept."""
    Endpoint = apps.get_model("claims", "WebhookEndpoint")
    active = Endpoint.objects.filter(active=True)
    groups = (
        active.values("owner_id", "url")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("owner_id", "url")
    )
    turned_off = 0
    for owner_id, url in list(groups):
        same = active.filter(owner_id=owner_id, url=url).order_by("created_at", "id")
        oldest = same.values_list("pk", flat=True).first()
        turned_off += same.exclude(pk=oldest).update(active=False)
    if turned_off:
        print(f"\n  WebhookEndpoint: {turned_off} duplicate active endpoint(s) turned off.")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0028_notification_deadline_per_person"),
    ]

    operations = [
        migrations.RunPython(one_active_per_owner_and_url, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="webhookendpoint",
            constraint=models.UniqueConstraint(
                models.F("owner"),
                django.db.models.functions.text.MD5("url"),
                condition=models.Q(("active", True)),
                name="webhook_one_active_per_owner_url",
            ),
        ),
    ]
