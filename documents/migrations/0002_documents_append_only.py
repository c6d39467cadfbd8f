"""Documents are append-only, enforced by the database: a note's attachments stay with it."""

from django.db import migrations

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_document")]

    operations = [make_append_only("documents_document")]
