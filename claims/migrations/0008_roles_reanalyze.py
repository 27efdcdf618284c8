"""Editors may re-analyse articles (the permission itself arrives in 0007)."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perm = Permission.objects.get(content_type__app_label="claims", codename="reanalyze_article")
    Group.objects.get(name="Editor").permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [("claims", "0007_article_reanalyze_permission")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
