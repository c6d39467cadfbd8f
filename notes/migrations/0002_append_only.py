"""Case notes and case history are append-only, enforced by the database."""

from django.db import migrations

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0001_notes_and_actions"),
        ("cases", "0004_admin_configures_case_types"),
    ]

    operations = [
        make_append_only("notes_casenote"),
        make_append_only("cases_caseevent"),
    ]
