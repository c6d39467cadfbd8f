"""Key canaries: one sealed value per master key id, proof that a key of that id is the
organisation's (caseload.keycheck). Written once, never changed: append-only."""

from django.db import migrations, models

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0003_audit_trail_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyCanary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("master_key_id", models.CharField(max_length=64, unique=True)),
                ("sealed", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "abstract": False,
            },
        ),
        make_append_only("caseload_keycanary"),
    ]
