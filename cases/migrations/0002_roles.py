"""Create the three role groups and give the Admin role its configuration permissions."""

from django.db import migrations

from caseload.roles import Role, role_permissions_migrate

# The Admin role's permissions as they stood at this migration.
ADMIN_PERMISSIONS = [
    ("cases", "view_user"),
    ("cases", "add_user"),
    ("cases", "change_user"),
    ("cases", "view_team"),
    ("cases", "add_team"),
    ("cases", "change_team"),
    ("cases", "delete_team"),
    ("cases", "view_adviserprofile"),
    ("cases", "add_adviserprofile"),
    ("cases", "change_adviserprofile"),
    ("auth", "view_group"),
]


def create_roles(apps, schema_editor):
    role_permissions_migrate(apps, ADMIN_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[r.value for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
