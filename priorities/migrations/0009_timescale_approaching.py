"""Each timescale says when its due dates count as approaching: the organisation's
default, N working days before, or a percentage of the window elapsed."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("priorities", "0008_notification_emailed_at")]

    operations = [
        migrations.AddField(
            model_name="timescale",
            name="approaching_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="With 'working days before': 0 means only when it is due.",
                null=True,
                validators=[django.core.validators.MinValueValidator(0)],
                verbose_name="Working days before the due date",
            ),
        ),
        migrations.AddField(
            model_name="timescale",
            name="approaching_mode",
            field=models.CharField(
                choices=[
                    ("default", "The organisation's setting (working days before)"),
                    ("days", "A number of working days before it is due"),
                    ("percent", "Once a percentage of the window has elapsed"),
                ],
                default="default",
                max_length=10,
                verbose_name="A due date counts as approaching",
            ),
        ),
        migrations.AddField(
            model_name="timescale",
            name="approaching_percent",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="With 'a percentage of the window': from 1 to 99. The window runs from the case opening (first contact, target to close), the last contact (next contact) or the last assessment (reassessment) to the due date.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(99),
                ],
                verbose_name="Percentage of the window elapsed",
            ),
        ),
        migrations.AddConstraint(
            model_name="timescale",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("approaching_percent__isnull", True),
                    models.Q(("approaching_percent__gte", 1), ("approaching_percent__lte", 99)),
                    _connector="OR",
                ),
                name="timescale_approaching_percent_1_to_99",
            ),
        ),
        migrations.AddConstraint(
            model_name="timescale",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("approaching_days__isnull", True),
                    ("approaching_days__gte", 0),
                    _connector="OR",
                ),
                name="timescale_approaching_days_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="timescale",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("approaching_mode", "default"),
                    models.Q(("approaching_days__isnull", False), ("approaching_mode", "days")),
                    models.Q(
                        ("approaching_mode", "percent"), ("approaching_percent__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="timescale_approaching_mode_has_its_value",
            ),
        ),
    ]
