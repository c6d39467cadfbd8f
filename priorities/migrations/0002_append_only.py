"""Assessments are append-only, enforced by the database."""

from django.db import migrations

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [("priorities", "0001_priorities")]

    operations = [make_append_only("priorities_assessment")]
