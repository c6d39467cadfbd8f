"""Notifications move to the notifications app (issue 12). Only Django's view of
the models changes here; the table stays where it is, with its rows, and the
notifications app takes it over in its first migration."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("priorities", "0014_organisation_advisers_need_two_factor")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        )
    ]
