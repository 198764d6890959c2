"""Every workspace gets ProcessMaker's four roles with ProcessMaker 3.8's permission sets.

Roles missing from a workspace (the manager and guest roles, until now) are created. An admin or
operator role that still holds exactly the set this server used to give it becomes ProcessMaker's
set; one that was changed keeps its changes and gains only the codes that are new to the catalogue,
which nobody could have chosen to leave out. A frozen copy of the catalogue, as migrations must be.
"""

from django.db import migrations

CATALOGUE = [
    "PM_LOGIN", "PM_SETUP", "PM_USERS", "PM_FACTORY", "PM_CASES", "PM_ALLCASES", "PM_REASSIGNCASE",
    "PM_REPORTS", "PM_SUPERVISOR", "PM_SETUP_ADVANCE", "PM_DASHBOARD", "PM_WEBDAV", "PM_DELETECASE",
    "PM_EDITPERSONALINFO", "PM_FOLDERS_ALL", "PM_FOLDERS_ADD_FOLDER", "PM_FOLDERS_ADD_FILE", "PM_CANCELCASE",
    "PM_FOLDER_DELETE", "PM_SETUP_LOGO", "PM_SETUP_EMAIL", "PM_SETUP_CALENDAR", "PM_SETUP_PROCESS_CATEGORIES",
    "PM_SETUP_CLEAR_CACHE", "PM_SETUP_ENVIRONMENT", "PM_SETUP_PM_TABLES", "PM_SETUP_LOGIN",
    "PM_SETUP_DASHBOARDS", "PM_SETUP_LANGUAGE", "PM_SETUP_SKIN", "PM_SETUP_CASES_LIST_CACHE_BUILDER",
    "PM_SETUP_PLUGINS", "PM_SETUP_USERS_AUTHENTICATION_SOURCES", "PM_SETUP_LOGS", "PM_DELETE_PROCESS_CASES",
    "PM_EDITPERSONALINFO_CALENDAR", "PM_UNCANCELCASE", "PM_REST_API_APPLICATIONS",
    "PM_EDIT_USER_PROFILE_FIRST_NAME", "PM_EDIT_USER_PROFILE_LAST_NAME", "PM_EDIT_USER_PROFILE_USERNAME",
    "PM_EDIT_USER_PROFILE_EMAIL", "PM_EDIT_USER_PROFILE_ADDRESS", "PM_EDIT_USER_PROFILE_ZIP_CODE",
    "PM_EDIT_USER_PROFILE_COUNTRY", "PM_EDIT_USER_PROFILE_STATE_OR_REGION", "PM_EDIT_USER_PROFILE_LOCATION",
    "PM_EDIT_USER_PROFILE_PHONE", "PM_EDIT_USER_PROFILE_POSITION", "PM_EDIT_USER_PROFILE_REPLACED_BY",
    "PM_EDIT_USER_PROFILE_EXPIRATION_DATE", "PM_EDIT_USER_PROFILE_CALENDAR", "PM_EDIT_USER_PROFILE_STATUS",
    "PM_EDIT_USER_PROFILE_ROLE", "PM_EDIT_USER_PROFILE_TIME_ZONE", "PM_EDIT_USER_PROFILE_DEFAULT_LANGUAGE",
    "PM_EDIT_USER_PROFILE_COSTS", "PM_EDIT_USER_PROFILE_PASSWORD",
    "PM_EDIT_USER_PROFILE_USER_MUST_CHANGE_PASSWORD_AT_NEXT_LOGON", "PM_EDIT_USER_PROFILE_PHOTO",
    "PM_EDIT_USER_PROFILE_DEFAULT_MAIN_MENU_OPTIONS", "PM_EDIT_USER_PROFILE_DEFAULT_CASES_MENU_OPTIONS",
    "PM_REASSIGNCASE_SUPERVISOR", "PM_SETUP_CUSTOM_CASES_LIST", "PM_GUEST_CASE", "PM_SETUP_LOG_FILES",
    "PM_FOLDERS_OWNER", "PM_TASK_SCHEDULER_ADMIN", "TASK_METRICS_VIEW",
]  # fmt: skip
OLD_CATALOGUE = {
    "PM_LOGIN", "PM_CASES", "PM_FACTORY", "PM_USERS", "PM_SETUP", "PM_REPORTS", "PM_SUPERVISOR",
    "PM_REST_API_APPLICATIONS", "PM_GUEST_CASE", "PM_EDIT_USER_PROFILE_FIRST_NAME", "PM_EDIT_USER_PROFILE_LAST_NAME",
    "PM_EDIT_USER_PROFILE_USERNAME", "PM_EDIT_USER_PROFILE_EMAIL", "PM_EDIT_USER_PROFILE_PASSWORD",
}  # fmt: skip
OLD_DEFAULTS = {
    "PROCESSMAKER_ADMIN": OLD_CATALOGUE - {"PM_GUEST_CASE"},
    "PROCESSMAKER_OPERATOR": {
        "PM_LOGIN", "PM_CASES", "PM_EDIT_USER_PROFILE_FIRST_NAME", "PM_EDIT_USER_PROFILE_LAST_NAME",
        "PM_EDIT_USER_PROFILE_EMAIL", "PM_EDIT_USER_PROFILE_PASSWORD",
    },
}  # fmt: skip
ADMIN = [code for code in CATALOGUE if code != "PM_GUEST_CASE"]
NOT_FOR_MANAGERS = {
    "PM_SETUP", "PM_FACTORY", "PM_SETUP_ADVANCE", "PM_WEBDAV", "PM_REASSIGNCASE_SUPERVISOR",
    "PM_SETUP_CUSTOM_CASES_LIST", "PM_SETUP_LOG_FILES", "PM_FOLDERS_OWNER", "PM_TASK_SCHEDULER_ADMIN",
    "TASK_METRICS_VIEW",
}  # fmt: skip
ROLES = [
    ("PROCESSMAKER_ADMIN", "System Administrator", ADMIN),
    ("PROCESSMAKER_OPERATOR", "Operator", [
        "PM_LOGIN", "PM_CASES", "PM_EDIT_USER_PROFILE_FIRST_NAME", "PM_EDIT_USER_PROFILE_LAST_NAME",
        "PM_EDIT_USER_PROFILE_USERNAME", "PM_EDIT_USER_PROFILE_EMAIL", "PM_EDIT_USER_PROFILE_ADDRESS",
        "PM_EDIT_USER_PROFILE_ZIP_CODE", "PM_EDIT_USER_PROFILE_COUNTRY", "PM_EDIT_USER_PROFILE_STATE_OR_REGION",
        "PM_EDIT_USER_PROFILE_LOCATION", "PM_EDIT_USER_PROFILE_PHONE", "PM_EDIT_USER_PROFILE_CALENDAR",
        "PM_EDIT_USER_PROFILE_TIME_ZONE", "PM_EDIT_USER_PROFILE_DEFAULT_LANGUAGE", "PM_EDIT_USER_PROFILE_PASSWORD",
        "PM_EDIT_USER_PROFILE_PHOTO",
    ]),
    ("PROCESSMAKER_MANAGER", "Manager", [code for code in ADMIN if code not in NOT_FOR_MANAGERS]),
    ("PROCESSMAKER_GUEST", "Guest", ["PM_GUEST_CASE"]),
]  # fmt: skip


def give_processmaker_roles(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Role = apps.get_model("workspaces", "Role")
    for workspace in Workspace.objects.all():
        for code, name, permissions in ROLES:
            role = Role.objects.filter(workspace=workspace, code=code).first()
            if role is None:
                Role.objects.create(workspace=workspace, code=code, name=name, permissions=permissions)
            elif code in OLD_DEFAULTS and set(role.permissions) == OLD_DEFAULTS[code]:
                role.permissions = permissions
                role.save(update_fields=["permissions"])
            elif code in OLD_DEFAULTS:
                new = [p for p in permissions if p not in OLD_CATALOGUE and p not in role.permissions]
                role.permissions = list(role.permissions) + new
                role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0007_processmaker_user_profile")]

    operations = [migrations.RunPython(give_processmaker_roles, migrations.RunPython.noop)]
