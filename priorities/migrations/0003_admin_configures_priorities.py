"""Let the Admin role configure criteria, timescales, the calendar and the organisation."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from caseload.roles import role_groups_ensure

MODELS = ["criteriaversion", "criterion", "timescale", "closureday", "organisation"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    role_groups_ensure(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        admin_permissions=[
            ("priorities", f"{action}_{model}")
            for model in MODELS
            for action in ("view", "add", "change", "delete")
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("priorities", "0002_append_only")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
