# Which API token was made with which: revoking a token revokes its descendants
# (claims.tokens.token_revoke). Tokens made before this migration have no parent
# recorded, so revoking one of them revokes that token alone.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0033_importbatchitem_queue_unreachable"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.CreateModel(
            name="TokenParent",
            fields=[
                (
                    "token",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        swappable=False,
                        to="knox.authtoken",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        swappable=False,
                        to="knox.authtoken",
                    ),
                ),
            ],
        ),
    ]
