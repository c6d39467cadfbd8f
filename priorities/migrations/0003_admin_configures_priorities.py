"""Let the Admin role configure criteria, timescales, the calendar and the organisation."""

from django.db import migrations

from caseload.roles import role_permissions_migrate

MODELS = ["criteriaversion", "criterion", "timescale", "closureday", "organisation"]


def grant(apps, schema_editor):
    role_permissions_migrate(
        apps,
        [
            ("priorities", f"{action}_{model}")
            for model in MODELS
            for action in ("view", "add", "change", "delete")
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("priorities", "0002_append_only")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
