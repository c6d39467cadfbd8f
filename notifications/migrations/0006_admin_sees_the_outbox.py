"""Let the Admin role see the outbox (which emails were sent, which failed)."""

from django.db import migrations

from caseload.roles import role_permissions_migrate


def grant(apps, schema_editor):
    role_permissions_migrate(apps, [("notifications", "view_outboxemail")])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_outbox_schedule"), ("cases", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
