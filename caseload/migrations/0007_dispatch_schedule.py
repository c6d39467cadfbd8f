"""The dispatcher of queued tasks runs every minute (see caseload.queue)."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0006_queued_task"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Send queued tasks to the worker",
            task="caseload.tasks.dispatch_queued_tasks_task",
            minute="*",
            hour="*",
        )
    ]
