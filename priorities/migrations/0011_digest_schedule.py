"""The daily notification digest email, 08:00 London time, by default; admins can
change the schedule in the configuration pages without a deploy."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("priorities", "0010_deadline_watch"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Daily notification digest email",
            task="priorities.tasks.send_notification_digest_task",
            minute="0",
            hour="8",
        )
    ]
