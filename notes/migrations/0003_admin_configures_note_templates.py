"""Let the Admin role configure note templates."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from caseload.roles import role_groups_ensure


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    role_groups_ensure(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        admin_permissions=[
            ("notes", "view_notetemplate"),
            ("notes", "add_notetemplate"),
            ("notes", "change_notetemplate"),
            ("notes", "delete_notetemplate"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("notes", "0002_append_only")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
