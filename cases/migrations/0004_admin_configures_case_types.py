"""Let the Admin role configure case types (the role's permissions live in caseload.roles)."""

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
            ("cases", "view_casetype"),
            ("cases", "add_casetype"),
            ("cases", "change_casetype"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_clients_and_cases")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
