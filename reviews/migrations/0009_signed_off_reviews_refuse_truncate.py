"""TRUNCATE is refused on caseload reviews and their decisions: it fires no row trigger,
so without this it would empty signed-off reviews that no UPDATE or DELETE may touch."""

from django.db import migrations

from caseload.append_only import make_truncate_refused


class Migration(migrations.Migration):
    dependencies = [("reviews", "0008_review_reminder_schedule")]

    operations = [
        make_truncate_refused("reviews_caseloadreview"),
        make_truncate_refused("reviews_reviewdecision"),
    ]
