"""Caseload review reports are snapshots: append-only, enforced by the database."""

from django.db import migrations

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_caseload_reports")]

    operations = [make_append_only("reviews_caseloadreport")]
