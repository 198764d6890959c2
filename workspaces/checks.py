"""`manage.py check`: rows made before today's rules, which still work but should be fixed.

Usernames (workspaces.usernames): names made before the rule, or brought in by an older import, may
hold invisible or control characters. They still log in (refusing them would lock people out of
accounts they cannot rename themselves); the check names each one so that an operator can rename it.

Workspace settings (workspaces.models.Workspace's validators): a value set before the ranges existed
(a lockout threshold of 0, a default scope no API knows) is named with the command that fixes it.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from workspaces.models import User, Workspace
from workspaces.usernames import username_problem

BAD_USERNAME = "workspaces.W001"
BAD_WORKSPACE_SETTING = "workspaces.W002"


@register("usernames")
def usernames_that_break_the_rule(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    try:
        names = list(User.objects.values_list("workspace__name", "uid", "username").iterator(chunk_size=2000))
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    found = []
    for workspace, uid, username in names:
        if username.isascii() and username.isprintable():
            continue  # the usual name: nothing invisible in it
        problem = username_problem(username)
        if problem is not None:
            where = f"workspace {workspace}" if workspace else "the site operators"
            found.append(
                Warning(
                    f"User {username!r} (uid {uid}) of {where}: {problem}",
                    hint="It can still log in; rename it (the admin or PUT /api/1.0/{ws}/user/{uid}).",
                    id=BAD_USERNAME,
                )
            )
    return found


@register("workspaces")
def workspace_settings_out_of_range(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    try:
        workspaces = list(Workspace.objects.all())
    except DatabaseError:
        return []
    found = []
    for workspace in workspaces:
        try:
            workspace.clean_fields(exclude=["name"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                value = getattr(workspace, field)
                found.append(
                    Warning(
                        f"Workspace {workspace.name}: {field} = {value!r}: {' '.join(messages)}",
                        hint=f"manage.py setworkspace {workspace.name} {field}=... (or the admin) sets a valid value.",
                        id=BAD_WORKSPACE_SETTING,
                    )
                )
    return found
