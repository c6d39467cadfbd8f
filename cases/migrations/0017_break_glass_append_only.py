"""Break-the-glass records are append-only, enforced by the database; only the time the
supervisors were emailed may be set, once."""

from django.db import migrations

from caseload.append_only import make_append_only_but_set_once


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_access_change_append_only")]

    operations = [
        make_append_only_but_set_once("cases_breakglassaccess", columns=("supervisors_emailed_at",))
    ]
