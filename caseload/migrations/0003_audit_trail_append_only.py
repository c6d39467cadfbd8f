"""The audit trail (django-auditlog's entries, our access entries among them) is
append-only, enforced by the database."""

from django.db import migrations

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0002_truncate_refused_always"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [make_append_only("auditlog_logentry")]
