"""Let the Admin role configure note templates."""

from django.db import migrations

from caseload.roles import role_permissions_migrate


def grant(apps, schema_editor):
    role_permissions_migrate(
        apps,
        [
            ("notes", "view_notetemplate"),
            ("notes", "add_notetemplate"),
            ("notes", "change_notetemplate"),
            ("notes", "delete_notetemplate"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("notes", "0002_append_only")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
