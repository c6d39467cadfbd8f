"""The Data protection role: told of every break-the-glass access and every concern about one.

It holds no permission on client data."""

from django.db import migrations

NAME = "Data protection"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_break_glass_review_append_only")]

    operations = [migrations.RunPython(create_group, remove_group)]
