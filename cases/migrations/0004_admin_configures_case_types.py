"""Let the Admin role configure case types (the role's permissions live in caseload.roles)."""

from django.db import migrations

from caseload.roles import role_permissions_migrate


def grant(apps, schema_editor):
    role_permissions_migrate(
        apps,
        [
            ("cases", "view_casetype"),
            ("cases", "add_casetype"),
            ("cases", "change_casetype"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_clients_and_cases")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
