"""ProcessMaker's RBAC catalogue: its permission codes and the four roles every workspace starts with.

The codes and sets are ProcessMaker 3.8's (rbac/engine/data/mysql/insert.sql; see
../shared/reference/processmaker-database.md, section 4). A role stores its codes as a list, so a
workspace imported from ProcessMaker keeps codes this catalogue does not know (plugins', 3.3's).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class PermissionCode(models.TextChoices):
    """RBAC_PERMISSIONS.PER_CODE, in ProcessMaker's order (its PER_UID numbers in the comments)."""

    PM_LOGIN = "PM_LOGIN", "Log in"  # 1
    PM_SETUP = "PM_SETUP", "Set up the workspace"
    PM_USERS = "PM_USERS", "Manage users"
    PM_FACTORY = "PM_FACTORY", "Design processes"
    PM_CASES = "PM_CASES", "Work on cases"  # 5
    PM_ALLCASES = "PM_ALLCASES", "See all cases"
    PM_REASSIGNCASE = "PM_REASSIGNCASE", "Reassign cases"
    PM_REPORTS = "PM_REPORTS", "See reports"
    PM_SUPERVISOR = "PM_SUPERVISOR", "Supervise processes"
    PM_SETUP_ADVANCE = "PM_SETUP_ADVANCE", "Advanced setup"  # 10
    PM_DASHBOARD = "PM_DASHBOARD", "See dashboards"
    PM_WEBDAV = "PM_WEBDAV", "Use WebDAV"
    PM_DELETECASE = "PM_DELETECASE", "Delete cases"
    PM_EDITPERSONALINFO = "PM_EDITPERSONALINFO", "Edit own personal information"
    PM_FOLDERS_ALL = "PM_FOLDERS_ALL", "See all folders"  # 15
    PM_FOLDERS_ADD_FOLDER = "PM_FOLDERS_ADD_FOLDER", "Add folders"
    PM_FOLDERS_ADD_FILE = "PM_FOLDERS_ADD_FILE", "Add files"
    PM_CANCELCASE = "PM_CANCELCASE", "Cancel cases"
    PM_FOLDER_DELETE = "PM_FOLDER_DELETE", "Delete folders"
    PM_SETUP_LOGO = "PM_SETUP_LOGO", "Set up the logo"  # 20
    PM_SETUP_EMAIL = "PM_SETUP_EMAIL", "Set up email"
    PM_SETUP_CALENDAR = "PM_SETUP_CALENDAR", "Set up calendars"
    PM_SETUP_PROCESS_CATEGORIES = "PM_SETUP_PROCESS_CATEGORIES", "Set up process categories"
    PM_SETUP_CLEAR_CACHE = "PM_SETUP_CLEAR_CACHE", "Clear the cache"
    PM_SETUP_ENVIRONMENT = "PM_SETUP_ENVIRONMENT", "Set up the environment"  # 26 (25 was 3.3's heart beat)
    PM_SETUP_PM_TABLES = "PM_SETUP_PM_TABLES", "Set up PM tables"
    PM_SETUP_LOGIN = "PM_SETUP_LOGIN", "Set up the login"
    PM_SETUP_DASHBOARDS = "PM_SETUP_DASHBOARDS", "Set up dashboards"
    PM_SETUP_LANGUAGE = "PM_SETUP_LANGUAGE", "Set up languages"  # 30
    PM_SETUP_SKIN = "PM_SETUP_SKIN", "Set up skins"
    PM_SETUP_CASES_LIST_CACHE_BUILDER = "PM_SETUP_CASES_LIST_CACHE_BUILDER", "Build the cases list cache"
    PM_SETUP_PLUGINS = "PM_SETUP_PLUGINS", "Set up plugins"
    PM_SETUP_USERS_AUTHENTICATION_SOURCES = "PM_SETUP_USERS_AUTHENTICATION_SOURCES", "Set up authentication sources"
    PM_SETUP_LOGS = "PM_SETUP_LOGS", "See the logs"  # 35
    PM_DELETE_PROCESS_CASES = "PM_DELETE_PROCESS_CASES", "Delete a process's cases"
    PM_EDITPERSONALINFO_CALENDAR = "PM_EDITPERSONALINFO_CALENDAR", "Edit own calendar"
    PM_UNCANCELCASE = "PM_UNCANCELCASE", "Undo a case's cancellation"
    PM_REST_API_APPLICATIONS = "PM_REST_API_APPLICATIONS", "Register REST API applications"
    # 40-63: which fields of their own profile a user may change.
    PM_EDIT_USER_PROFILE_FIRST_NAME = "PM_EDIT_USER_PROFILE_FIRST_NAME", "Edit own first name"  # 40
    PM_EDIT_USER_PROFILE_LAST_NAME = "PM_EDIT_USER_PROFILE_LAST_NAME", "Edit own last name"
    PM_EDIT_USER_PROFILE_USERNAME = "PM_EDIT_USER_PROFILE_USERNAME", "Edit own username"
    PM_EDIT_USER_PROFILE_EMAIL = "PM_EDIT_USER_PROFILE_EMAIL", "Edit own email"
    PM_EDIT_USER_PROFILE_ADDRESS = "PM_EDIT_USER_PROFILE_ADDRESS", "Edit own address"
    PM_EDIT_USER_PROFILE_ZIP_CODE = "PM_EDIT_USER_PROFILE_ZIP_CODE", "Edit own zip code"  # 45
    PM_EDIT_USER_PROFILE_COUNTRY = "PM_EDIT_USER_PROFILE_COUNTRY", "Edit own country"
    PM_EDIT_USER_PROFILE_STATE_OR_REGION = "PM_EDIT_USER_PROFILE_STATE_OR_REGION", "Edit own state or region"
    PM_EDIT_USER_PROFILE_LOCATION = "PM_EDIT_USER_PROFILE_LOCATION", "Edit own location"
    PM_EDIT_USER_PROFILE_PHONE = "PM_EDIT_USER_PROFILE_PHONE", "Edit own phone numbers"
    PM_EDIT_USER_PROFILE_POSITION = "PM_EDIT_USER_PROFILE_POSITION", "Edit own position"  # 50
    PM_EDIT_USER_PROFILE_REPLACED_BY = "PM_EDIT_USER_PROFILE_REPLACED_BY", "Edit who replaces oneself"
    PM_EDIT_USER_PROFILE_EXPIRATION_DATE = "PM_EDIT_USER_PROFILE_EXPIRATION_DATE", "Edit own expiration date"
    PM_EDIT_USER_PROFILE_CALENDAR = "PM_EDIT_USER_PROFILE_CALENDAR", "Edit own calendar"
    PM_EDIT_USER_PROFILE_STATUS = "PM_EDIT_USER_PROFILE_STATUS", "Edit own status"
    PM_EDIT_USER_PROFILE_ROLE = "PM_EDIT_USER_PROFILE_ROLE", "Edit own role"  # 55
    PM_EDIT_USER_PROFILE_TIME_ZONE = "PM_EDIT_USER_PROFILE_TIME_ZONE", "Edit own time zone"
    PM_EDIT_USER_PROFILE_DEFAULT_LANGUAGE = "PM_EDIT_USER_PROFILE_DEFAULT_LANGUAGE", "Edit own language"
    PM_EDIT_USER_PROFILE_COSTS = "PM_EDIT_USER_PROFILE_COSTS", "Edit own costs"
    PM_EDIT_USER_PROFILE_PASSWORD = "PM_EDIT_USER_PROFILE_PASSWORD", "Change own password"
    PM_EDIT_USER_PROFILE_USER_MUST_CHANGE_PASSWORD_AT_NEXT_LOGON = (  # 60
        "PM_EDIT_USER_PROFILE_USER_MUST_CHANGE_PASSWORD_AT_NEXT_LOGON",
        "Edit own must-change-password flag",
    )
    PM_EDIT_USER_PROFILE_PHOTO = "PM_EDIT_USER_PROFILE_PHOTO", "Edit own photo"
    PM_EDIT_USER_PROFILE_DEFAULT_MAIN_MENU_OPTIONS = (
        "PM_EDIT_USER_PROFILE_DEFAULT_MAIN_MENU_OPTIONS",
        "Edit own default main menu",
    )
    PM_EDIT_USER_PROFILE_DEFAULT_CASES_MENU_OPTIONS = (
        "PM_EDIT_USER_PROFILE_DEFAULT_CASES_MENU_OPTIONS",
        "Edit own default cases menu",
    )
    PM_REASSIGNCASE_SUPERVISOR = "PM_REASSIGNCASE_SUPERVISOR", "Reassign cases as a supervisor"  # 64
    PM_SETUP_CUSTOM_CASES_LIST = "PM_SETUP_CUSTOM_CASES_LIST", "Set up custom cases lists"
    # The one permission of the guest role; an admin does not hold it.
    PM_GUEST_CASE = "PM_GUEST_CASE", "Start cases as a guest"
    PM_SETUP_LOG_FILES = "PM_SETUP_LOG_FILES", "See the log files"
    PM_FOLDERS_OWNER = "PM_FOLDERS_OWNER", "Own folders"
    PM_TASK_SCHEDULER_ADMIN = "PM_TASK_SCHEDULER_ADMIN", "Administer the task scheduler"
    TASK_METRICS_VIEW = "TASK_METRICS_VIEW", "See task metrics"  # 70


ADMIN = "PROCESSMAKER_ADMIN"
OPERATOR = "PROCESSMAKER_OPERATOR"
MANAGER = "PROCESSMAKER_MANAGER"
GUEST = "PROCESSMAKER_GUEST"

P = PermissionCode
_ADMIN = [code.value for code in P if code != P.PM_GUEST_CASE]
_NOT_FOR_MANAGERS = {code.value for code in (
    P.PM_SETUP, P.PM_FACTORY, P.PM_SETUP_ADVANCE, P.PM_WEBDAV, P.PM_REASSIGNCASE_SUPERVISOR,
    P.PM_SETUP_CUSTOM_CASES_LIST, P.PM_SETUP_LOG_FILES, P.PM_FOLDERS_OWNER, P.PM_TASK_SCHEDULER_ADMIN,
    P.TASK_METRICS_VIEW,
)}  # fmt: skip
_OPERATOR = [
    P.PM_LOGIN, P.PM_CASES,
    P.PM_EDIT_USER_PROFILE_FIRST_NAME, P.PM_EDIT_USER_PROFILE_LAST_NAME, P.PM_EDIT_USER_PROFILE_USERNAME,
    P.PM_EDIT_USER_PROFILE_EMAIL, P.PM_EDIT_USER_PROFILE_ADDRESS, P.PM_EDIT_USER_PROFILE_ZIP_CODE,
    P.PM_EDIT_USER_PROFILE_COUNTRY, P.PM_EDIT_USER_PROFILE_STATE_OR_REGION, P.PM_EDIT_USER_PROFILE_LOCATION,
    P.PM_EDIT_USER_PROFILE_PHONE, P.PM_EDIT_USER_PROFILE_CALENDAR, P.PM_EDIT_USER_PROFILE_TIME_ZONE,
    P.PM_EDIT_USER_PROFILE_DEFAULT_LANGUAGE, P.PM_EDIT_USER_PROFILE_PASSWORD, P.PM_EDIT_USER_PROFILE_PHOTO,
]  # fmt: skip


@dataclass(frozen=True)
class DefaultRole:
    code: str
    name: str
    permissions: list[str]


# What a new workspace gets, in ProcessMaker's order (RBAC_ROLES ...02 to ...05; names from CONTENT).
DEFAULT_ROLES = [
    DefaultRole(ADMIN, "System Administrator", _ADMIN),
    DefaultRole(OPERATOR, "Operator", [code.value for code in _OPERATOR]),
    DefaultRole(MANAGER, "Manager", [code for code in _ADMIN if code not in _NOT_FOR_MANAGERS]),
    DefaultRole(GUEST, "Guest", [P.PM_GUEST_CASE.value]),
]
