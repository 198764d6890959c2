"""ProcessMaker's PM_EDIT_USER_PROFILE_* permissions now decide which fields of their own profile a
user may change over the users API; the two default roles of existing workspaces get the ones new
workspaces get (every one for the admin role, names, email and password for the operator role)."""

from django.db import migrations

ADMIN_GETS = [
    "PM_EDIT_USER_PROFILE_FIRST_NAME",
    "PM_EDIT_USER_PROFILE_LAST_NAME",
    "PM_EDIT_USER_PROFILE_USERNAME",
    "PM_EDIT_USER_PROFILE_EMAIL",
    "PM_EDIT_USER_PROFILE_PASSWORD",
]
OPERATOR_GETS = [
    "PM_EDIT_USER_PROFILE_FIRST_NAME",
    "PM_EDIT_USER_PROFILE_LAST_NAME",
    "PM_EDIT_USER_PROFILE_EMAIL",
    "PM_EDIT_USER_PROFILE_PASSWORD",
]


def add_profile_permissions(apps, schema_editor):
    Role = apps.get_model("workspaces", "Role")
    for code, extra in (("PROCESSMAKER_ADMIN", ADMIN_GETS), ("PROCESSMAKER_OPERATOR", OPERATOR_GETS)):
        for role in Role.objects.filter(code=code):
            role.permissions = list(role.permissions) + [p for p in extra if p not in role.permissions]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0002_login_lock")]

    operations = [migrations.RunPython(add_profile_permissions, migrations.RunPython.noop)]
