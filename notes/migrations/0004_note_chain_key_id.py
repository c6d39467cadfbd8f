"""Each note records which chain key made its link (NULL: linked before the chain was keyed).

A nullable column is added in place on PostgreSQL and SQLite alike, without
rewriting the append-only table or touching its triggers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0003_admin_configures_note_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="casenote",
            name="chain_key_id",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
    ]
