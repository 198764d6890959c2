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

HTTPS_REQUIRED = "Forbidden: HTTPS is required"

# 400: bad input, one message per field.
EXPECTED_OBJECT = "Expected a JSON object."
UNKNOWN_FIELD = "Unknown field."
NOT_A_STRING = "Must be a string."
WHOLE_NUMBER_RANGE = "Must be a whole number from {low} to {high}."
ONE_OF = "Must be one of {choices}."
UNKNOWN_ROLE = "Unknown role {role!r}."
PASSWORD_FOR_CONFIRMATION = "usr_cnf_pass confirms usr_new_pass: give both."
PASSWORDS_DIFFER = "usr_new_pass and usr_cnf_pass must be the same."
# ProcessMaker's ID_USER_DOES_NOT_EXIST, for a field that names a user and for the user of a path.
NO_SUCH_USER = "The user with {field}: {uid!r} does not exist."
NO_SUCH_TIME_ZONE = "The time zone {value!r} does not exist (use an IANA name such as Europe/Paris)."
NOT_A_LANGUAGE = "Use a language code such as en, es or pt-BR."
CANNOT_DELETE_YOURSELF = "You cannot delete your own user."
NO_SUCH_GRANT = "The application {client_id!r} holds no token or consent of this user's."
PROCESS_NAME_TAKEN = "A process with this name already exists in this workspace."


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message}}
