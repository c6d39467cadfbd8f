"""TRUNCATE of an append-only table is refused whatever the session has set.

Databases migrated earlier have a TRUNCATE trigger function that a session
could switch off with ``SET caseload.allow_truncate = on``; this replaces it.
"""

from django.db import migrations

from caseload.append_only import refuse_truncate_always


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0001_initial"),
        ("notes", "0002_append_only"),
        ("priorities", "0002_append_only"),
        ("reviews", "0002_append_only"),
    ]

    operations = [refuse_truncate_always()]
