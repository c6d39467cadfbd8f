"""A daily signed checkpoint of the notes' chains, 02:15 London time, by default; admins
can change the schedule in the configuration pages without a deploy."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0004_note_chain_key_id"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Case notes: daily checkpoint of the chains",
            task="notes.tasks.anchor_notes_task",
            minute="15",
            hour="2",
        )
    ]
