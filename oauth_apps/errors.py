"""Every string the OAuth endpoints and the web pages show, in one place.

The token and authorize strings are ProcessMaker's wording (bshaffer/oauth2-server-php v1.0):
clients match on them, so they are kept here, once, and the exceptions below carry them
through oauthlib unchanged.
"""

from __future__ import annotations

from oauthlib.oauth2.rfc6749 import errors

from workspaces.lockout import AccountLocked, LoginRefused

# Token endpoint, in the order ProcessMaker checks them.
METHOD_NOT_POST = "The request method must be POST when requesting an access token"
GRANT_TYPE_MISSING = "The grant type was not specified in the request"
GRANT_TYPE_UNSUPPORTED = 'Grant type "{grant_type}" not supported'
CLIENT_CREDENTIALS_MISSING = "Client credentials were not found in the headers or body"
CLIENT_CREDENTIALS_INVALID = "The client credentials are invalid"
PASSWORD_PARAMETERS_MISSING = 'Missing parameters: "username" and "password" required'
USER_CREDENTIALS_INVALID = "Invalid username and password combination"
PASSWORD_MUST_CHANGE = "The password has expired; sign in on the web to change it"
SIGN_IN_UNAVAILABLE = "The sign-in service is unavailable; try again later"
CODE_MISSING = 'Missing parameter: "code" is required'
CODE_INVALID = "Authorization code doesn't exist or is invalid for the client"
CODE_EXPIRED = "The authorization code has expired"
REDIRECT_URI_MISMATCH = "The redirect URI is missing or do not match"
REFRESH_TOKEN_MISSING = 'Missing parameter: "refresh_token" is required'
REFRESH_TOKEN_INVALID = "Invalid refresh token"
REFRESH_TOKEN_EXPIRED = "Refresh token has expired"
SCOPE_UNSUPPORTED = "An unsupported scope was requested"
OPENID_CONNECT_OFF = "OpenID Connect is not served here: its scopes cannot be granted"
IDENTITY_SCOPE_NEEDS_SIGNIN = (
    "OpenID Connect scopes are granted only to a person signing in through the authorization code flow"
)
GRANT_TYPE_UNAUTHORIZED = "The grant type is unauthorized for this client_id"
HTTPS_REQUIRED = "HTTPS is required"
PARAMETER_REPEATED = 'Parameter "{name}" was sent more than once'
ONE_AUTHENTICATION_METHOD = "The client authenticated in two ways: use HTTP Basic or the body, not both"
PKCE_MISMATCH = "The code_verifier does not match the code_challenge"
PKCE_S256_REQUIRED = "A public client must send a code_challenge with code_challenge_method S256"
# The device flow (RFC 8628), which ProcessMaker has not: our wording.
DEVICE_CODE_MISSING = 'Missing parameter: "device_code" is required'
DEVICE_CODE_INVALID = "Invalid device code"
DEVICE_FLOW_OFF = "This client may not use the device flow: its owner has not turned it on"
DEVICE_WRONG_CODE = "No pending request has this code. Check it on the device's screen; codes last 10 minutes."
DEVICE_TOO_MANY_WRONG = "Too many wrong codes. Wait a few minutes, then try again."
DEVICE_DECIDED = "This request was already answered, or it expired."
DEVICE_APPROVED = "Done: {name} can now act for you. Go back to your device."
DEVICE_DENIED = "Denied: {name} was not given access."
# client_credentials tokens act as the client's owner (oauth_apps.owners): our wording.
OWNER_CANNOT_LOG_IN = "This client's owner cannot sign in now, so its client_credentials grant is suspended"
OWNER_MUST_CONFIRM_SECRET = (
    "An administrator reset the password of this client's owner: the owner must confirm or regenerate the "
    "client secret on the applications page before client_credentials works again"
)
# The login limits (workspaces.lockout): the token endpoint's wording, then the pages'
# (`login_refused` chooses).
ACCOUNT_LOCKED = "Too many failed logins: this username is locked for up to {minutes} minutes"
ADDRESS_THROTTLED = "Too many failed logins from this address: try again in up to {minutes} minutes"

# Authorize endpoint and its error page.
AUTHORIZE_CLIENT_ID_MISSING = "Invalid request. The 'client_id' parameter is missing!"
AUTHORIZE_RESPONSE_TYPE_MISSING = "Invalid request. The 'response_type' parameter is missing!"
AUTHORIZE_UNKNOWN_CLIENT = "Error, unknown client. The client with id '{client_id}' is not registered"
# The authorize error page's own sentences (ProcessMaker's JSON wording stays in the token endpoint's bodies).
REDIRECT_URI_NOT_STORED = (
    "This application has no callback URL registered, so it cannot use this page. "
    "Its owner can add one on the applications page."
)
REDIRECT_URI_MISMATCH_PAGE = "The redirect_uri does not match the callback URL registered for this application."
ACCESS_DENIED = "The user denied access to your application"
RESPONSE_MODE_UNSUPPORTED = 'Unsupported response_mode "{mode}": use query, fragment or form_post'
TOKEN_IN_QUERY = "An access token is never sent in a query string: use response_mode fragment or form_post"

# Login page.
LOGIN_FAILED = "Invalid username or password."
LOGIN_LOCKED = "Too many failed logins for this username. It is locked for up to {minutes} minutes; try again then."
LOGIN_THROTTLED = "Too many failed logins from your address. Try again in up to {minutes} minutes."
LOGGED_OUT = "You have been logged out."
LOGIN_UNAVAILABLE = "Your organisation's sign-in service is not answering. Try again in a few minutes."
# What Active Directory said of the account (directory.signin.AD_REFUSALS), on the web login only.
DIRECTORY_REFUSALS = {
    "530": "Your account may not sign in at this time of day.",
    "531": "Your account may not sign in from this computer.",
    "532": "Your directory password has expired: change it in your organisation's directory, then sign in.",
    "533": "Your account is disabled in your organisation's directory.",
    "701": "Your account has expired in your organisation's directory.",
    "773": "Your directory password must be reset: change it in your organisation's directory, then sign in.",
    "775": "Your account is locked in your organisation's directory.",
}

# Change-password page: why the login stopped there, and its own errors.
CHANGE_REASONS = {
    "must_change": "You must change your password before going on.",
    "expired": "Your password has expired. Choose a new one to go on.",
    "noncompliant": "Your password no longer meets this workspace's password policy. Choose a new one to go on.",
}
PASSWORD_CHANGED = "Your password has been changed."
DIRECTORY_PASSWORD = (
    "{username} signs in with the directory {source!r}: their password is the directory's, not set here. "
    "Remove the source from the user first to give them a password here."
)
PASSWORD_UNCHANGED = "Choose a password other than your current one."
PASSWORDS_DIFFER = "The two passwords differ."
CURRENT_PASSWORD_WRONG = "Your current password is not right."
CHANGE_TIMED_OUT = "That took too long: log in again."

# Second factor pages.
SECOND_FACTOR_WRONG = "That code is not right. Type the code your authenticator app shows now, or a recovery code."
SECOND_FACTOR_LOCKED = "Too many wrong codes. The second step is locked for up to 15 minutes; try again then."
SECOND_FACTOR_OFF = "This workspace does not use second factors."
SECOND_FACTOR_CURRENT_WRONG = (
    "That code is not right: adding another factor takes a code of an app you have, or one of your recovery codes."
)
SECOND_FACTOR_ADDED = "Your authenticator app was added."
SECOND_FACTOR_REMOVED = "Removed {name}."
SECURITY_BAD_REQUEST = "Choose what to do again: the page was out of date."
PASSKEYS_OFF = "Passkeys are not used here."
PASSKEY_REFUSED = "That passkey was not accepted. Try again, or type a code."
PASSKEY_ACCOUNT_GONE = "Your account is no longer active in your organisation's directory."
SECOND_FACTOR_GRANT = "This account uses a second factor: sign in through the code or device flow"

# Authorized applications page.
AUTHORIZED_LOG_IN = "Log in to see the applications you have authorized."
AUTHORIZED_NOT_FOUND = "This application holds nothing of yours."
AUTHORIZED_REVOKED = "Revoked {name}: its tokens stopped working, and it will ask you again."

# Applications pages.
APPLICATIONS_LOG_IN = "Log in to manage your applications."
APPLICATION_NOT_FOUND = "No such application."
APPLICATION_SAVED = "Saved {name}."
APPLICATION_DELETED = "Deleted {name} and revoked its tokens."
PUBLIC_CLIENT_HAS_NO_SECRET = "A public client has no secret."
SECRET_HELD = (
    "An administrator reset your password, so {name}'s client_credentials grant is paused: confirm that its "
    "secret is still only yours, or regenerate it if anyone else could have seen it."
)
SECRET_CONFIRMED = "Confirmed {name}'s secret: its client_credentials grant works again."
SECRET_NOT_HELD = "{name}'s secret needs no confirmation."
CALLBACK_PLAIN_HTTP = (
    "The callback URL uses plain http to another machine: codes and tokens will cross the network "
    "unencrypted. Use https unless this is a closed test network."
)
SAME_NAME = (
    "You already have an application called {name} (registered {created}). Did you mean that one? "
    "Save again to go ahead with the same name anyway."
)
CALLBACK_NEEDS_HTTPS = "The callback URL must use https (plain http only to this machine: localhost, 127.0.0.1, [::1])."

# The Django admin and the management commands.
WORKSPACE_IS_FIXED = (
    "The workspace of {what} cannot change: its tokens, consents and users belong to that workspace. "
    "Make a new one in the other workspace instead."
)

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SUPPORTED_GRANT_TYPES = ("authorization_code", "password", "client_credentials", "refresh_token", DEVICE_CODE_GRANT)
# A public client has no secret to prove who it is: the code flow with PKCE (S256) and refreshing
# what it gave are all it may use (RFC 9700 2.1.1, 2.4).
PUBLIC_CLIENT_GRANT_TYPES = ("authorization_code", "refresh_token", DEVICE_CODE_GRANT)


class RedirectURIMismatchError(errors.OAuth2Error):
    """ProcessMaker's `redirect_uri_mismatch` (oauthlib calls it invalid_request)."""

    error = "redirect_uri_mismatch"
    status_code = 400


class ResponseModeRefused(errors.InvalidRequestError):
    """A response_mode this server does not speak, or a token asked for in a query string."""

    def __init__(self, description: str) -> None:
        super().__init__(description=description)


class SignInServiceUnavailable(errors.OAuth2Error):
    """A directory user's password could not be checked (their directory does not answer)."""

    error = "temporarily_unavailable"
    status_code = 503


def sign_in_unavailable(error_mode: str) -> errors.OAuth2Error:
    """ProcessMaker's clients know invalid_grant (in an HTTP 200); RFC 6749 clients get a 503."""
    if error_mode == "rfc6749":
        return SignInServiceUnavailable(description=SIGN_IN_UNAVAILABLE)
    return invalid_grant(SIGN_IN_UNAVAILABLE)


def invalid_request(description: str) -> errors.InvalidRequestError:
    return errors.InvalidRequestError(description=description)


def invalid_client(description: str) -> errors.InvalidClientError:
    return errors.InvalidClientError(description=description)


def invalid_grant(description: str) -> errors.InvalidGrantError:
    return errors.InvalidGrantError(description=description)


def unauthorized_client(description: str = GRANT_TYPE_UNAUTHORIZED) -> errors.UnauthorizedClientError:
    return errors.UnauthorizedClientError(description=description)


def invalid_scope(description: str = SCOPE_UNSUPPORTED) -> errors.InvalidScopeError:
    return errors.InvalidScopeError(description=description)


def unsupported_grant_type(grant_type: str) -> errors.UnsupportedGrantTypeError:
    return errors.UnsupportedGrantTypeError(description=GRANT_TYPE_UNSUPPORTED.format(grant_type=grant_type))


def login_refused(refusal: LoginRefused, *, page: bool) -> str:
    """What a login refused by the limits is told: on a page (the web login, the admin's), or by the
    token endpoint (the password grant)."""
    locked = isinstance(refusal, AccountLocked)
    if page:
        return (LOGIN_LOCKED if locked else LOGIN_THROTTLED).format(minutes=refusal.minutes)
    return (ACCOUNT_LOCKED if locked else ADDRESS_THROTTLED).format(minutes=refusal.minutes)
