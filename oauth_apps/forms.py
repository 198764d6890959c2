"""Validation of what users register for an application."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from oauth_apps import callbacks, errors
from oauth_apps.models import Application
from oauth_apps.oidc import keys
from workspaces.models import ErrorMode, User, Workspace

MAX_URL_LENGTH = 1024


def validate_website(value: str) -> str:
    """The application's home page, as ProcessMaker takes it: any text (its page says the field
    "won't be used so don't worry if it isn't a valid URL"); shown as text, never as a link."""
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"The web site is at most {MAX_URL_LENGTH} characters.")
    return value


def validate_callback_url(value: str) -> str:
    """A redirect URI (RFC 6749 3.1.2) that the authorize endpoint will take: `callbacks.callback_problem`."""
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"The callback URL is at most {MAX_URL_LENGTH} characters.")
    problem = callbacks.callback_problem(value)
    if problem:
        raise ValidationError(problem)
    return value


def validate_logout_urls(value: object, at_most: int | None = None) -> str:
    """Sign-out URLs (return URLs, one per line; a back-channel URL, one), each held to the
    callback's rules."""
    given = str(value or "").split()
    if at_most is not None and len(given) > at_most:
        raise ValidationError(f"At most {at_most} URL.")
    return "\n".join(validate_callback_url(uri) for uri in given)


class OpenIDConnectFields(forms.ModelForm):
    """An application's OpenID Connect fields, as the applications page and the admin both take them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form posted without a signing algorithm (a script written before OpenID Connect) keeps
        # the application's, and does not count it as changed.
        if self.is_bound and "algorithm" not in self.data:
            data = self.data.copy()  # type: ignore[attr-defined] # a QueryDict
            data["algorithm"] = self.instance.algorithm or keys.RS256
            self.data = data

    def clean_post_logout_redirect_uris(self) -> str:
        return validate_logout_urls(self.cleaned_data.get("post_logout_redirect_uris"))

    def clean_backchannel_logout_uri(self) -> str:
        return validate_logout_urls(self.cleaned_data.get("backchannel_logout_uri"), at_most=1)


def callback_transport_warning(value: str, workspace: Workspace) -> str | None:
    """A plain-http callback to another machine sends codes and tokens over the network in the
    clear. ProcessMaker allows it (the documentation's own example uses one), so in ProcessMaker
    mode it is a warning; in rfc6749 mode it is refused here and at the authorize endpoint (RFC 9700
    2.1, loopback excepted as RFC 8252 7.3 allows for native apps)."""
    if not value or not callbacks.in_clear(value):
        return None
    if workspace.error_mode == ErrorMode.RFC6749:
        raise ValidationError(errors.CALLBACK_NEEDS_HTTPS)
    return errors.CALLBACK_PLAIN_HTTP


class ApplicationForm(OpenIDConnectFields):
    """ProcessMaker's application form: Name, Description, Web Site, Callback URL."""

    class Meta:
        model = Application
        fields = ["name", "description", "website", "redirect_uris", "allow_device_flow", "algorithm",
                  "post_logout_redirect_uris", "backchannel_logout_uri"]  # fmt: skip
        labels = {
            "website": "Web Site",
            "redirect_uris": "Callback URL",
            "allow_device_flow": "Device flow (RFC 8628): for CLI tools and kiosks, approved on another screen",
            "algorithm": "ID token signing (OpenID Connect)",
            "post_logout_redirect_uris": "Sign-out return URLs (OpenID Connect)",
            "backchannel_logout_uri": "Back-channel logout URL (OpenID Connect)",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "redirect_uris": forms.URLInput(),
            "backchannel_logout_uri": forms.URLInput(),
            "post_logout_redirect_uris": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "website": "The application's home page (optional; shown to the users it asks).",
            "redirect_uris": "Optional. Where the authorize page sends the user back (code and implicit flows).",
            "algorithm": "How ID tokens for this application are signed: RS256 (the default) or ES256.",
            "post_logout_redirect_uris": "Optional, one per line: where users may be sent after signing out.",
            "backchannel_logout_uri": "Optional: this server POSTs a signed logout token there when a session "
            "that signed a user in to the application ends.",
        }

    def __init__(self, *args: Any, workspace: Workspace, owner: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.owner = owner  # whose applications a new name is compared with
        self.warnings: list[str] = []
        self.fields["website"].required = False
        self.fields["redirect_uris"].required = False

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise ValidationError("The name is required.")
        return name

    def clean_website(self) -> str:
        return validate_website(str(self.cleaned_data.get("website") or ""))

    def clean_redirect_uris(self) -> str:
        value = str(self.cleaned_data.get("redirect_uris") or "").strip()
        value = validate_callback_url(value) if value else ""
        warning = callback_transport_warning(value, self.workspace)
        if warning and value != self.initial.get("redirect_uris"):  # said when it is set, not at every save
            self.warnings.append(warning)
        return value

    def same_name(self) -> Application | None:
        """Another application of the owner's with the name being given (case aside), if any."""
        name = self.cleaned_data.get("name")
        if self.owner is None or not name or ("name" not in self.changed_data and self.instance.pk):
            return None
        mine = Application.objects.filter(workspace=self.workspace, user=self.owner, is_local=False)
        return mine.filter(name__iexact=name).exclude(pk=self.instance.pk).order_by("pk").first()

    def questions(self) -> list[str]:
        """What to ask the person before saving (a valid form): a name they already use, a callback
        that sends codes in the clear. Saving again with the same answers goes ahead (`answered`)."""
        same = self.same_name()
        asked = [errors.SAME_NAME.format(name=same.name, created=f"{same.created:%Y-%m-%d}")] if same else []
        return asked + self.warnings


def answered(questions: list[str]) -> str:
    """A mark of the questions shown: a form posted back with it was saved knowing them (a change that
    raises other questions asks again)."""
    return hashlib.sha256("\n".join(questions).encode()).hexdigest()[:16]


class NewApplicationForm(ApplicationForm):
    public = forms.BooleanField(required=False, label="Public client (no secret, PKCE required)")
