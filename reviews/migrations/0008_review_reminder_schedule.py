"""Daily reminders of caseload reviews due, 07:30 London time, by default; admins can
change the schedule in the configuration pages without a deploy."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_review_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Caseload reviews due: reminders",
            task="reviews.tasks.review_reminders_task",
            minute="30",
            hour="7",
        )
    ]
