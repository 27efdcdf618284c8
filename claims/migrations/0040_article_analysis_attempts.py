from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0039_article_fetch_attempts'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='analysis_attempts',
            field=models.PositiveIntegerField(default=0),
        ),
    ]
