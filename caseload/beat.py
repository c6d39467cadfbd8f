"""Default schedules for Celery beat, created by data migrations.

The schedules live in the database (django-celery-beat), so an admin can
change when a task runs in the configuration pages without a deploy; a
migration only creates the default, and leaves an existing one as it is.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def crontab_schedule(
    *, name: str, task: str, minute: str, hour: str, day_of_week: str = "*"
) -> migrations.RunPython:
    """A migration operation scheduling ``task`` at minute and hour, London time."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        crontab, _ = apps.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/London",
        )
        apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab}
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return migrations.RunPython(forwards, backwards)
