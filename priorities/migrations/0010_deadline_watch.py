"""The day each open case's due date starts approaching, stored and indexed for the sweep.

Existing open cases are filled in from the organisation's default (every
timescale uses the default until an admin changes it), in chunks.
"""

import django.db.models.deletion
from django.db import migrations, models

DEADLINES = [
    "first_contact_due_on",
    "next_contact_due_on",
    "next_review_due_on",
    "target_close_on",
    "next_deadline_on",
]


def watch_open_cases(apps, schema_editor):
    from priorities.calendar import WorkingCalendar

    Case = apps.get_model("cases", "Case")
    ClosureDay = apps.get_model("priorities", "ClosureDay")
    DeadlineWatch = apps.get_model("priorities", "DeadlineWatch")
    Organisation = apps.get_model("priorities", "Organisation")
    organisation = Organisation.objects.filter(pk=1).first()
    calendar = WorkingCalendar(
        nation=organisation.nation if organisation else "ENG",
        closures=ClosureDay.objects.values_list("day", flat=True),
    )
    days = organisation.approaching_days if organisation else 2
    rows = []
    cases = Case.objects.exclude(status="closed").values_list("pk", *DEADLINES)
    for pk, *dues in cases.iterator(chunk_size=2000):
        for deadline, due_on in zip(DEADLINES, dues, strict=True):
            if due_on is not None:
                rows.append(
                    DeadlineWatch(
                        case_id=pk,
                        deadline=deadline,
                        due_on=due_on,
                        approaching_on=calendar.approaching_from(due_on, days=days),
                    )
                )
        if len(rows) >= 2000:
            DeadlineWatch.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    DeadlineWatch.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_priority_and_due_dates"),
        ("priorities", "0009_timescale_approaching"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeadlineWatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "deadline",
                    models.CharField(
                        choices=[
                            ("first_contact_due_on", "First contact"),
                            ("next_contact_due_on", "Next contact"),
                            ("next_review_due_on", "Reassessment"),
                            ("target_close_on", "Target to close"),
                            ("next_deadline_on", "Statutory or external deadline"),
                        ],
                        max_length=30,
                    ),
                ),
                ("due_on", models.DateField()),
                ("approaching_on", models.DateField()),
            ],
        ),
        migrations.AddField(
            model_name="deadlinewatch",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.case"
            ),
        ),
        migrations.AddIndex(
            model_name="deadlinewatch",
            index=models.Index(fields=["approaching_on"], name="watch_approaching_idx"),
        ),
        migrations.AddConstraint(
            model_name="deadlinewatch",
            constraint=models.UniqueConstraint(
                fields=("case", "deadline"), name="one_watch_per_case_deadline"
            ),
        ),
        migrations.AddConstraint(
            model_name="deadlinewatch",
            constraint=models.CheckConstraint(
                condition=models.Q(("approaching_on__lte", models.F("due_on"))),
                name="watch_approaches_before_due",
            ),
        ),
        migrations.RunPython(watch_open_cases, migrations.RunPython.noop),
    ]
