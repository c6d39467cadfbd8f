"""Weekly caseload review reports, Monday 07:00 London time, by default; admins can
change the schedule in the configuration pages without a deploy."""

from django.db import migrations

from caseload.beat import crontab_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        crontab_schedule(
            name="Weekly caseload review reports",
            task="reviews.tasks.generate_review_reports_task",
            minute="0",
            hour="7",
            day_of_week="1",
        )
    ]
