"""Note drafts untouched for a week are deleted daily, 03:05 London time, by default; admins
can change the schedule in the configuration pages without a deploy."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0006_note_drafts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Case notes: delete drafts untouched for a week",
            task="notes.tasks.note_drafts_sweep_task",
            minute="5",
            hour="3",
        )
    ]
