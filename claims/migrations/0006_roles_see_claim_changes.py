"""Every role reads the claim change log (added in 0004)."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perm = Permission.objects.get(content_type__app_label="claims", codename="view_claimchange")
    for group in Group.objects.filter(name__in=["Viewer", "Fact-checker", "Editor"]):
        group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_history_triggers")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
