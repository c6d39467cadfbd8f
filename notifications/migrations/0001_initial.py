"""The notifications app takes over the table ``priorities_notification`` with its
rows (issue 12): the model is created in Django's state only, and the content
type, its permissions and the digest's schedule follow the model to this app."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

OLD_TASK = "priorities.tasks.send_notification_digest_task"
NEW_TASK = "notifications.tasks.send_notification_digest_task"


def follow_the_model(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="priorities", model="notification").update(
        app_label="notifications"
    )
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    periodic_task.objects.filter(task=OLD_TASK).update(task=NEW_TASK)


def back_to_priorities(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="notifications", model="notification").update(
        app_label="priorities"
    )
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    periodic_task.objects.filter(task=NEW_TASK).update(task=OLD_TASK)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0006_case_assessed_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("priorities", "0015_notification_moves_to_its_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("message", models.CharField(max_length=300)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "emailed_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cases.case",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "priorities_notification",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["recipient", "read_at"], name="notification_unread_idx"
                            ),
                            models.Index(
                                condition=models.Q(("emailed_at__isnull", True)),
                                fields=["recipient"],
                                name="notification_unemailed_idx",
                            ),
                        ],
                    },
                )
            ],
            database_operations=[],
        ),
        migrations.RunPython(follow_the_model, back_to_priorities),
    ]
