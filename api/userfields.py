"""A user as ProcessMaker's REST API spells it: the fields it takes (BusinessModel/User.php's
definitions: types, required flags, allowed values) and the record it answers (getUser's).

Every field ProcessMaker defines is stored; an unknown name is a 400. The names of the record that
are not input (usr_uid, the dates, usr_calendar_uid) are accepted and ignored, so a client can
send back what it read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, QuerySet
from rest_framework import serializers

from api import errors
from api.fields import ProcessMakerSerializer, StrictCharField
from workspaces import profile
from workspaces.errors import USERNAME_TAKEN
from workspaces.models import Role, User, Workspace
from workspaces.usernames import fold_username, username_problem

# API name -> model field, for everything a client may set.
MODEL_FIELDS = {
    "usr_username": "username", "usr_firstname": "first_name", "usr_lastname": "last_name", "usr_email": "email",
    "usr_due_date": "due_date", "usr_status": "status", "usr_role": "role", "usr_address": "address",
    "usr_zip_code": "zip_code", "usr_country": "country", "usr_city": "city", "usr_location": "location",
    "usr_phone": "phone", "usr_fax": "fax", "usr_cellular": "cellular", "usr_position": "position",
    "usr_replaced_by": "replaced_by", "usr_reports_to": "reports_to", "usr_calendar": "calendar",
    "dep_uid": "department", "usr_birthday": "birthday", "usr_ux": "ux", "usr_cost_by_hour": "cost_by_hour",
    "usr_unit_cost": "unit_cost", "usr_time_zone": "time_zone", "usr_default_lang": "default_lang",
    "usr_logged_next_time": "must_change_password",
}  # fmt: skip
READ_ONLY = ("usr_uid", "usr_create_date", "usr_update_date", "usr_calendar_uid")
PLACE = {"country": "usr_country", "city": "usr_city", "location": "usr_location"}
USER_REFERENCES = ("replaced_by", "reports_to")


def optional_text(max_length: int) -> StrictCharField:
    return StrictCharField(max_length=max_length, allow_blank=True, required=False)


class UserInputSerializer(ProcessMakerSerializer):
    """POST /user takes every required field; PUT /user/{uid} any of them (partial)."""

    ignored_fields = READ_ONLY
    usr_username = StrictCharField(max_length=100)
    usr_firstname = StrictCharField(max_length=100)
    usr_lastname = StrictCharField(max_length=100)
    usr_email = serializers.EmailField(max_length=254)
    usr_due_date = serializers.DateField(
        allow_null=True, help_text="The last day the user can log in; null: never ends"
    )
    usr_status = serializers.ChoiceField(choices=User.Status.values)
    usr_role = StrictCharField(max_length=64, help_text="A role code of the workspace, e.g. PROCESSMAKER_OPERATOR")
    usr_new_pass = StrictCharField(max_length=1024, trim_whitespace=False, write_only=True)
    usr_cnf_pass = StrictCharField(max_length=1024, trim_whitespace=False, write_only=True, required=False)
    usr_address = optional_text(255)
    usr_zip_code = optional_text(16)
    usr_country = StrictCharField(max_length=100, allow_blank=True, required=False, help_text="ISO 3166-1 alpha-2")
    usr_city = StrictCharField(max_length=100, allow_blank=True, required=False, help_text="ISO 3166-2 region code")
    usr_location = StrictCharField(max_length=100, allow_blank=True, required=False, help_text="UN/LOCODE place")
    usr_phone = optional_text(24)
    usr_fax = optional_text(24)
    usr_cellular = optional_text(24)
    usr_position = optional_text(100)
    usr_replaced_by = StrictCharField(max_length=32, allow_blank=True, required=False, help_text="A usr_uid")
    usr_reports_to = StrictCharField(max_length=32, allow_blank=True, required=False, help_text="A usr_uid")
    usr_calendar = StrictCharField(max_length=32, allow_blank=True, required=False, help_text="Stored as given")
    dep_uid = StrictCharField(max_length=32, allow_blank=True, required=False, help_text="Stored as given")
    usr_birthday = serializers.DateField(allow_null=True, required=False)
    usr_ux = serializers.ChoiceField(choices=profile.UX_CHOICES, required=False)
    usr_cost_by_hour = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False)
    usr_unit_cost = optional_text(50)
    usr_time_zone = StrictCharField(max_length=100, allow_blank=True, required=False, help_text="IANA name")
    usr_default_lang = optional_text(10)
    usr_logged_next_time = serializers.ChoiceField(choices=[0, 1], required=False)

    @property
    def workspace(self) -> Workspace:
        return self.context["workspace"]  # type: ignore[no-any-return]

    @property
    def user(self) -> User | None:
        """The user being changed; None when creating one."""
        return self.context.get("user")

    def validate_usr_username(self, value: str) -> str:
        problem = username_problem(value)
        if problem is not None:
            raise serializers.ValidationError(problem)
        taken = User.objects.filter(workspace=self.workspace, username_folded=fold_username(value))
        if self.user is not None:
            taken = taken.exclude(pk=self.user.pk)
        if taken.exists():
            raise serializers.ValidationError(USERNAME_TAKEN.format(username=value, workspace=self.workspace.name))
        return value

    def validate_usr_role(self, value: str) -> Role:
        role = Role.objects.filter(workspace=self.workspace, code=value.upper()).first()
        if role is None:
            raise serializers.ValidationError(errors.UNKNOWN_ROLE.format(role=value))
        return role

    def workspace_user(self, name: str, uid: str) -> User | None:
        """The user of this workspace that `uid` names ("" names nobody)."""
        if not uid:
            return None
        found = User.objects.filter(workspace=self.workspace, uid=uid).first()
        if found is None:
            raise serializers.ValidationError(errors.NO_SUCH_USER.format(field=name, uid=uid))
        return found

    def validate_usr_replaced_by(self, value: str) -> User | None:
        return self.workspace_user("usr_replaced_by", value)

    def validate_usr_reports_to(self, value: str) -> User | None:
        return self.workspace_user("usr_reports_to", value)

    def validate_usr_time_zone(self, value: str) -> str:
        if value and not profile.is_time_zone(value):
            raise serializers.ValidationError(errors.NO_SUCH_TIME_ZONE.format(value=value))
        return value

    def validate_usr_default_lang(self, value: str) -> str:
        if value and not profile.is_language(value):
            raise serializers.ValidationError(errors.NOT_A_LANGUAGE)
        return value

    def validate_usr_logged_next_time(self, value: Any) -> bool:
        return str(value) == "1"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        new, confirm = attrs.get("usr_new_pass"), attrs.get("usr_cnf_pass")
        if confirm is not None and new is None:
            raise serializers.ValidationError({"usr_new_pass": [errors.PASSWORD_FOR_CONFIRMATION]})
        if new is not None:
            if confirm is not None and new != confirm:
                raise serializers.ValidationError({"usr_cnf_pass": [errors.PASSWORDS_DIFFER]})
            check_password(new, self.user)
        if any(name in attrs for name in PLACE.values()):
            # As ProcessMaker: the place the user ends up with, given fields over stored ones.
            place = {
                field: attrs.get(name, getattr(self.user, field, "") if self.user else "")
                for field, name in PLACE.items()
            }
            problems = profile.check_place(place["country"], place["city"], place["location"])
            if problems:
                raise serializers.ValidationError({PLACE[field]: [text] for field, text in problems.items()})
        return attrs


def check_password(password: str, user: User | None) -> None:
    """The workspace's password policy (workspaces.password_policy), in ProcessMaker's words."""
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise serializers.ValidationError({"usr_new_pass": error.messages}) from None


def model_changes(data: dict[str, Any]) -> dict[str, Any]:
    """The validated API fields as model field values."""
    return {model_field: data[api_field] for api_field, model_field in MODEL_FIELDS.items() if api_field in data}


def with_references(users: QuerySet[User]) -> QuerySet[User]:
    """Users with their role and the uids of the users they name, in one query."""
    return users.select_related("role").annotate(**{f"{field}_uid": F(f"{field}__uid") for field in USER_REFERENCES})


def user_data(user: User) -> dict[str, Any]:
    """ProcessMaker's user record (BusinessModel/User.php getUser), for a user from `with_references`."""

    def day(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "usr_uid": user.uid,
        "usr_username": user.username,
        "usr_firstname": user.first_name,
        "usr_lastname": user.last_name,
        "usr_email": user.email,
        "usr_due_date": day(user.due_date),
        "usr_create_date": user.created.isoformat(),
        "usr_update_date": user.updated.isoformat(),
        "usr_status": user.status,
        "usr_country": user.country,
        "usr_city": user.city,
        "usr_location": user.location,
        "usr_address": user.address,
        "usr_phone": user.phone,
        "usr_fax": user.fax,
        "usr_cellular": user.cellular,
        "usr_zip_code": user.zip_code,
        "dep_uid": user.department,
        "usr_position": user.position,
        "usr_birthday": day(user.birthday),
        "usr_role": user.role.code if user.role else None,
        "usr_reports_to": getattr(user, "reports_to_uid", None) or "",
        "usr_replaced_by": getattr(user, "replaced_by_uid", None) or "",
        "usr_calendar": user.calendar,
        "usr_calendar_uid": user.calendar,
        "usr_ux": user.ux,
        "usr_cost_by_hour": f"{user.cost_by_hour:.2f}",
        "usr_unit_cost": user.unit_cost,
        "usr_time_zone": user.time_zone,
        "usr_default_lang": user.default_lang,
        "usr_logged_next_time": int(user.must_change_password),
    }


class UserSerializer(serializers.Serializer):
    """What `user_data` answers, for the OpenAPI schema."""

    usr_uid = serializers.CharField()
    usr_username = serializers.CharField()
    usr_firstname = serializers.CharField(allow_blank=True)
    usr_lastname = serializers.CharField(allow_blank=True)
    usr_email = serializers.CharField(allow_blank=True)
    usr_due_date = serializers.DateField(allow_null=True)
    usr_create_date = serializers.DateTimeField()
    usr_update_date = serializers.DateTimeField()
    usr_status = serializers.ChoiceField(choices=User.Status.values)
    usr_country = serializers.CharField(allow_blank=True)
    usr_city = serializers.CharField(allow_blank=True)
    usr_location = serializers.CharField(allow_blank=True)
    usr_address = serializers.CharField(allow_blank=True)
    usr_phone = serializers.CharField(allow_blank=True)
    usr_fax = serializers.CharField(allow_blank=True)
    usr_cellular = serializers.CharField(allow_blank=True)
    usr_zip_code = serializers.CharField(allow_blank=True)
    dep_uid = serializers.CharField(allow_blank=True)
    usr_position = serializers.CharField(allow_blank=True)
    usr_birthday = serializers.DateField(allow_null=True)
    usr_role = serializers.CharField(allow_null=True)
    usr_reports_to = serializers.CharField(allow_blank=True)
    usr_replaced_by = serializers.CharField(allow_blank=True)
    usr_calendar = serializers.CharField(allow_blank=True)
    usr_calendar_uid = serializers.CharField(allow_blank=True)
    usr_ux = serializers.ChoiceField(choices=profile.UX_CHOICES)
    usr_cost_by_hour = serializers.DecimalField(max_digits=7, decimal_places=2)
    usr_unit_cost = serializers.CharField(allow_blank=True)
    usr_time_zone = serializers.CharField(allow_blank=True)
    usr_default_lang = serializers.CharField(allow_blank=True)
    usr_logged_next_time = serializers.ChoiceField(choices=[0, 1])


USER, USERS = UserSerializer(), UserSerializer(many=True)
