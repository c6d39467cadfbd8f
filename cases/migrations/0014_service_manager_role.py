"""Create the Service manager role group, with no permissions.

A Service manager gives and takes away the Adviser and Supervisor roles and team
places on Caseload's access page (checked by role); the group holds no model-wide
permission, on client data or anything else.
"""

from django.db import migrations

NAME = "Service manager"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_referral_agency_encrypted")]

    operations = [migrations.RunPython(create_group, remove_group)]
