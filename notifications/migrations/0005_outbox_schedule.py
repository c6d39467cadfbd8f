"""The outbox sends the emails due every minute (see notifications.services.outbox_send)."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_outbox_email"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Send the emails in the outbox",
            task="notifications.tasks.outbox_send_task",
            minute="*",
            hour="*",
        )
    ]
