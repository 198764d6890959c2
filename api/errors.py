"""Every message the REST API shows, and ProcessMaker's error shape around them:
{"error": {"code": <status>, "message": "..."}} (`api.handlers` answers every error with it).

Nothing but strings here: DRF's settings import the permission class, which uses these, while
DRF's views module is still loading.
"""

from __future__ import annotations

from typing import Any

STATUS_MESSAGES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Internal Server Error"}

# 403: what the token or the user's role lacks (ProcessMaker answers 401 with no reason).
READ_SCOPE_MISSING = "Forbidden: the token's scope does not allow reading (it needs view_process, edit_process or *)"
WRITE_SCOPE_MISSING = "Forbidden: the token's scope does not allow changes (it needs edit_process or *)"
PERMISSION_MISSING = "Forbidden: this needs the {permissions} permission in the user's role"

# 400: bad input, one message per field.
EXPECTED_OBJECT = "Expected a JSON object."
UNKNOWN_FIELD = "Unknown field."
NOT_A_STRING = "Must be a string."
BLANK = "This field may not be blank."
WHOLE_NUMBER_RANGE = "Must be a whole number from {low} to {high}."
ONE_OF = "Must be one of {choices}."
USERNAME_TAKEN = "A user with this username already exists in this workspace."
UNKNOWN_ROLE = "Unknown role {role!r}."
PASSWORDS_TOGETHER = "Give usr_new_pass and usr_cnf_pass together."
PASSWORDS_DIFFER = "The passwords do not match."
CANNOT_DELETE_YOURSELF = "You cannot delete your own user."
PROCESS_NAME_TAKEN = "A process with this name already exists in this workspace."


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message}}
