"""Who may change which user: the privilege boundary of the users API.

- Creating, deleting or changing another user needs PM_USERS, and the target must hold nothing
  the actor lacks (resetting a stronger user's password would hand over their account).
- Nobody grants a role holding a permission they lack, except PM_GUEST_CASE: the one permission
  of ProcessMaker's guest role, which an admin does not hold but must be able to hand out.
- Nobody changes their own role, status or due date (sending the current value is no change).
- Editing one's own profile follows the role's PM_EDIT_USER_PROFILE_* permissions, field by
  field, as in ProcessMaker.

`actor` is the workspace user a request acts for; commands pass none, and site operators (users
without a workspace, in the Django admin) are not limited here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workspaces.models import PermissionCode, Role, User

GRANTABLE_WITHOUT_HOLDING = {PermissionCode.PM_GUEST_CASE.value}
P = PermissionCode
# Every field a user may ask to change on themselves, with the permission that allows it
# (ProcessMaker's map in BusinessModel/User.php; fax and cellular go with the phone, the rest of
# the personal fields with PM_EDITPERSONALINFO, and where one sits in the organisation with PM_USERS).
OWN_PROFILE_PERMISSIONS = {
    "first_name": P.PM_EDIT_USER_PROFILE_FIRST_NAME, "last_name": P.PM_EDIT_USER_PROFILE_LAST_NAME,
    "username": P.PM_EDIT_USER_PROFILE_USERNAME, "email": P.PM_EDIT_USER_PROFILE_EMAIL,
    "address": P.PM_EDIT_USER_PROFILE_ADDRESS, "zip_code": P.PM_EDIT_USER_PROFILE_ZIP_CODE,
    "country": P.PM_EDIT_USER_PROFILE_COUNTRY, "city": P.PM_EDIT_USER_PROFILE_STATE_OR_REGION,
    "location": P.PM_EDIT_USER_PROFILE_LOCATION, "phone": P.PM_EDIT_USER_PROFILE_PHONE,
    "fax": P.PM_EDIT_USER_PROFILE_PHONE, "cellular": P.PM_EDIT_USER_PROFILE_PHONE,
    "position": P.PM_EDIT_USER_PROFILE_POSITION, "replaced_by": P.PM_EDIT_USER_PROFILE_REPLACED_BY,
    "calendar": P.PM_EDIT_USER_PROFILE_CALENDAR, "time_zone": P.PM_EDIT_USER_PROFILE_TIME_ZONE,
    "default_lang": P.PM_EDIT_USER_PROFILE_DEFAULT_LANGUAGE, "cost_by_hour": P.PM_EDIT_USER_PROFILE_COSTS,
    "unit_cost": P.PM_EDIT_USER_PROFILE_COSTS, "password": P.PM_EDIT_USER_PROFILE_PASSWORD,
    "must_change_password": P.PM_EDIT_USER_PROFILE_USER_MUST_CHANGE_PASSWORD_AT_NEXT_LOGON,
    "birthday": P.PM_EDITPERSONALINFO, "ux": P.PM_EDITPERSONALINFO,
    "reports_to": P.PM_USERS, "department": P.PM_USERS,
}  # fmt: skip
NEVER_ON_ONESELF = {"role": "role", "status": "status", "due_date": "due date"}
USER_REFERENCES = ("role", "replaced_by", "reports_to")  # foreign keys, compared by id

MISSING_PM_USERS = "Forbidden: managing other users needs the PM_USERS permission"
CANNOT_GRANT = "Forbidden: the role {role} holds {missing}, which your role lacks"
STRONGER_USER = "Forbidden: this user's role holds {missing}, which your role lacks"
NOT_ON_ONESELF = "Forbidden: you cannot change your own {what}"
OWN_FIELD = "Forbidden: changing your own {field} needs the {permission} permission"


class NotAllowed(Exception):
    """The actor may not make this change; the message says why, fit for a 403."""


def check_create(actor: User, role: Role) -> None:
    if actor.workspace_id is None:
        return
    require_pm_users(actor)
    check_grant(actor, role)


def check_delete(actor: User, target: User) -> None:
    if actor.workspace_id is None:
        return
    require_pm_users(actor)
    check_not_stronger(actor, target)


def check_change(actor: User, target: User, changes: Mapping[str, Any], *, password: bool) -> None:
    """`changes`: model field -> new value; `password`: whether a new password is set."""
    if actor.workspace_id is None:
        return
    changed = {field for field, value in changes.items() if comparable(value) != current(target, field)}
    if password:
        changed.add("password")
    if actor.pk != target.pk:
        require_pm_users(actor)
        check_not_stronger(actor, target)
        if "role" in changed:
            check_grant(actor, changes["role"])
        return
    for field, what in NEVER_ON_ONESELF.items():
        if field in changed:
            raise NotAllowed(NOT_ON_ONESELF.format(what=what))
    for field in sorted(changed):
        permission = OWN_PROFILE_PERMISSIONS.get(field)
        if permission is None:  # a field missing from the map: refuse rather than allow by accident
            raise NotAllowed(NOT_ON_ONESELF.format(what=field.replace("_", " ")))
        if permission not in actor.pm_permissions:
            raise NotAllowed(OWN_FIELD.format(field=field.replace("_", " "), permission=permission.value))


def check_revoke_grants(actor: User, target: User) -> None:
    """Revoking what a user granted an application: one's own always; another's as changing them."""
    if actor.workspace_id is None or actor.pk == target.pk:
        return
    require_pm_users(actor)
    check_not_stronger(actor, target)


def current(user: User, field: str) -> Any:
    return getattr(user, f"{field}_id") if field in USER_REFERENCES else getattr(user, field)


def comparable(value: Any) -> Any:
    return value.pk if isinstance(value, Role | User) else value


def require_pm_users(actor: User) -> None:
    if PermissionCode.PM_USERS.value not in actor.pm_permissions:
        raise NotAllowed(MISSING_PM_USERS)


def check_grant(actor: User, role: Role) -> None:
    missing = set(role.permissions) - actor.pm_permissions - GRANTABLE_WITHOUT_HOLDING
    if missing:
        raise NotAllowed(CANNOT_GRANT.format(role=role.code, missing=", ".join(sorted(missing))))


def check_not_stronger(actor: User, target: User) -> None:
    missing = target.pm_permissions - actor.pm_permissions - GRANTABLE_WITHOUT_HOLDING
    if missing:
        raise NotAllowed(STRONGER_USER.format(missing=", ".join(sorted(missing))))
