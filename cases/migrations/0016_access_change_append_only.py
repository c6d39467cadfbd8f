"""The record of access changes is append-only, enforced by the database."""

from django.db import migrations

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_access_change")]

    operations = [make_append_only("cases_accesschange")]
