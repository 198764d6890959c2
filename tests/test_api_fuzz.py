"""schemathesis against our own OpenAPI schema, as an admin and as an operator: no 5xx, and every
answer (status and body) is what the schema says. `make fuzz` runs many more examples."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from oauth_apps.services import RegisteredClient
from tests.oauth import issue
from workspaces.models import User

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))


@pytest.fixture
def api_schema(workspace: Any) -> Iterator[Any]:
    # The WSGI app closes the database connection after each request, which would end the test's
    # transaction; Django's own test client turns that off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/1.0/workflow/schema", get_wsgi_application())
        # The REST API; the OAuth endpoints the schema also lists have their own fuzzer
        # (tests/test_oauth_fuzz.py).
        yield schema.include(path_regex=r"^/api/1\.0/")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz_every_operation(schema: Any, token: str) -> int:
    """Each operation of the schema, with EXAMPLES generated requests; returns how many operations."""
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            # ignored_auth would take our real token, put over the generated one, for ignored auth;
            # positive_data_acceptance expects 409 for a name already taken, where ProcessMaker's
            # clients get (and we keep) a 400 with the reason.
            case.validate_response(response, excluded_checks=[ignored_auth, positive_data_acceptance])

        check()
    return len(operations)


@pytest.mark.parametrize("who", ["admin", "operator"])
def test_the_api_answers_as_its_schema_says(
    api_schema: Any, app: RegisteredClient, admin: User, operator_user: User, who: str
) -> None:
    token = issue(app, admin if who == "admin" else operator_user)
    assert fuzz_every_operation(api_schema, token) == 13
