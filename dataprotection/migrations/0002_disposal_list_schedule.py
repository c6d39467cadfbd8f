"""The retention schedule lists the clients due for disposal daily, 04:15 London time, by
default; admins can change the schedule in the configuration pages without a deploy."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("dataprotection", "0001_retention_erasure_restriction"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Data protection: list clients due for disposal",
            task="dataprotection.tasks.disposal_list_task",
            minute="15",
            hour="4",
        )
    ]
