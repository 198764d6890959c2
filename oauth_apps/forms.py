"""Validation of what users register for an application."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from oauth_apps import callbacks, errors
from oauth_apps.models import Application
from workspaces.models import ErrorMode, Workspace

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


class ApplicationForm(forms.ModelForm):
    """ProcessMaker's application form: Name, Description, Web Site, Callback URL."""

    class Meta:
        model = Application
        fields = ["name", "description", "website", "redirect_uris", "allow_device_flow"]
        labels = {
            "website": "Web Site",
            "redirect_uris": "Callback URL",
            "allow_device_flow": "Device flow (RFC 8628): for CLI tools and kiosks, approved on another screen",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "redirect_uris": forms.URLInput()}
        help_texts = {
            "website": "The application's home page (optional; shown to the users it asks).",
            "redirect_uris": "Optional. Where the authorize page sends the user back (code and implicit flows).",
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
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
        if warning:
            self.warnings.append(warning)
        return value


class NewApplicationForm(ApplicationForm):
    public = forms.BooleanField(required=False, label="Public client (no secret, PKCE required)")
