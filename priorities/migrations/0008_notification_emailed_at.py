"""Notifications remember when they were emailed, for the daily digest.

Notifications that exist already are marked as emailed when they were made:
the per-sweep emails covered them, and the first digest must not repeat them.
"""

from django.db import migrations, models
from django.db.models import F


def mark_existing_emailed(apps, schema_editor):
    Notification = apps.get_model("priorities", "Notification")
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("priorities", "0007_level_colours")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="emailed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("emailed_at__isnull", True)),
                fields=["recipient"],
                name="notification_unemailed_idx",
            ),
        ),
        migrations.RunPython(mark_existing_emailed, migrations.RunPython.noop),
    ]
