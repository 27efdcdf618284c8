"""The Viewer, Fact-checker and Editor groups with their permissions."""

from django.db import migrations

# Frozen copy of claims.roles.ROLE_PERMISSIONS as of this migration.
READ = ["view_article", "view_claim", "view_hedgecue", "view_statuschange", "view_evidence"]
WORK = ["work_claim", "add_evidence"]
EDIT = ["give_verdict", "assign_any", "change_claim", "add_claim", "add_article",
        "change_article", "reanalyze_article"]  # fmt: skip
ROLE_PERMISSIONS = {"Viewer": READ, "Fact-checker": READ + WORK, "Editor": READ + WORK + EDIT}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("claims", "0002_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
