"""The strings the tenant floor's rules show a person, a command line or an API client, written once
(the OAuth endpoints' and pages' are in oauth_apps/errors.py, the REST API's in api/errors.py)."""

from __future__ import annotations

USERNAME_TAKEN = "A user named {username!r} already exists in workspace {workspace}."

# A password a workspace's policy refuses: ProcessMaker's ID_POLICY_ALERT, then one line per rule
# broken, in ProcessMaker's words (its ID_PPP_* labels) and, for the two rules it has not, ours.
PASSWORD_POLICY_ALERT = "Your password does not meet the following password policies:"
PASSWORD_MINIMUM_LENGTH = "Minimum length: {length}."
PASSWORD_MAXIMUM_LENGTH = "Maximum length: {length}."
PASSWORD_DIGIT = "Numerical character required."
PASSWORD_UPPERCASE = "Uppercase character required."
PASSWORD_SPECIAL = "Special character required."
PASSWORD_COMMON = "Not a commonly used password."
PASSWORD_USERNAME = "Does not contain the username."
PASSWORD_HISTORY = "Not one of the last {count} passwords."
