"""Every environment variable is declared once, in pmsite/config.py, with its type, default and
meaning; docs/configuration.md's tables are generated from the declarations; and nothing reads a
variable that is not declared: not the settings, not another module, not docker/entrypoint.sh."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pmsite import config
from pmsite.environment import SETTINGS
from tests.live import PROJECT

# os.environ.get("X"), os.environ["X"], os.getenv("X"): a read that does not go through a concern.
DIRECT_READ = re.compile(r"""os\.environ(?:\.get\(\s*|\[)"([A-Z][A-Z0-9_]*)"|getenv\(\s*"([A-Z][A-Z0-9_]*)\"""")
SHELL_READ = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
# docker/entrypoint.sh's own variables, set in the script from PM_BIND: not read from the environment.
ENTRYPOINT_LOCALS = {"BIND", "HOST", "PORT"}
OUR_PACKAGES = ("plumbing", "workspaces", "oauth_apps", "processes", "accounts", "api", "pmimport", "pmsite")


def declared() -> dict[str, config.Variable[object]]:
    return {variable.name: variable for concern in config.CONCERNS for variable in concern.variables()}


def read_directly() -> dict[str, set[str]]:
    """Variables read straight from os.environ, and by which files (pmsite/environment.py reads them
    all, for the concerns)."""
    reads: dict[str, set[str]] = {}
    for package in OUR_PACKAGES:
        for path in (PROJECT / package).rglob("*.py"):
            where = str(path.relative_to(PROJECT))
            for match in DIRECT_READ.finditer(path.read_text()):
                reads.setdefault(next(name for name in match.groups() if name), set()).add(where)
    return reads


def read_by_the_entrypoint() -> set[str]:
    found = set(SHELL_READ.findall((PROJECT / "docker" / "entrypoint.sh").read_text())) - ENTRYPOINT_LOCALS
    return {name.removesuffix("_FILE") for name in found}  # NAME_FILE is NAME given as a file


def test_the_documentation_is_what_the_declarations_say() -> None:
    assert config.DOCUMENT.read_text() == config.document_with_tables(), "run `make configuration-docs`"


def test_every_variable_has_a_meaning_and_a_default_shown() -> None:
    variables = declared()
    assert {"DATABASE_URL", "PM_PUBLIC_URL", "REDIS_URL", "WEB_CONCURRENCY"} <= set(variables)
    assert [name for name, variable in variables.items() if not variable.meaning or not variable.shown] == []


def test_nothing_reads_a_variable_that_is_not_declared_as_read_there() -> None:
    variables = declared()
    reads = read_directly()
    assert "accounts/management/commands/createworkspace.py" in reads["PM_ADMIN_PASSWORD"]  # the scan finds them
    stray = sorted(
        f"{where} reads {name}"
        for name, places in reads.items()
        for where in places
        if name not in variables or where not in variables[name].read_by
    )
    assert stray == []


def test_the_entrypoint_reads_exactly_the_variables_declared_for_it() -> None:
    for_the_entrypoint = {name for name, variable in declared().items() if config.ENTRYPOINT in variable.read_by}
    assert read_by_the_entrypoint() - set(declared()) == set()
    assert for_the_entrypoint == read_by_the_entrypoint()


def test_every_variable_declared_for_the_settings_is_used_by_them() -> None:
    code = (PROJECT / "pmsite" / "settings.py").read_text() + (PROJECT / "pmsite" / "config.py").read_text()
    unused = [
        name
        for name, variable in declared().items()
        if SETTINGS in variable.read_by and not re.search(rf"\.{name}\b", code)
    ]
    assert unused == []


def test_a_wrong_value_is_refused_with_the_variables_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="DB_CONN_MAX_AGE must be a whole number, not 'soon'"):
        _ = config.Database({"DB_CONN_MAX_AGE": "soon"}).DB_CONN_MAX_AGE
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be plain or json"):
        _ = config.Observability({"LOG_FORMAT": "xml"}).LOG_FORMAT
    with pytest.raises(ImproperlyConfigured, match="PM_METRICS_ALLOW lists addresses or networks"):
        _ = config.Observability({"PM_METRICS_ALLOW": "10.0.0.0/8,intranet"}).PM_METRICS_ALLOW


def test_start_checks_every_variable_even_one_the_settings_do_not_use() -> None:
    # With plain HTTP allowed no HSTS header is sent, so the settings never ask for PM_HSTS_SECONDS.
    https = config.Https({"PM_ALLOW_HTTP": "1", "PM_HSTS_SECONDS": "a year"})
    with pytest.raises(ImproperlyConfigured, match="PM_HSTS_SECONDS"):
        https.check()


def test_a_variable_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("read from a file\n")
    assert config.Site({"SECRET_KEY_FILE": str(key_file)}).SECRET_KEY == "read from a file"
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE names a file that cannot be read"):
        _ = config.Site({"SECRET_KEY_FILE": str(tmp_path / "missing")}).SECRET_KEY


def test_an_empty_variable_counts_as_unset_and_defaults_follow_the_variables_they_depend_on() -> None:
    assert config.Site({"ALLOWED_HOSTS": ""}).ALLOWED_HOSTS == ["127.0.0.1", "localhost", "[::1]"]
    assert config.SharedState({}).PM_TOKEN_CACHE_SECONDS == 0
    assert config.SharedState({"REDIS_URL": "redis://127.0.0.1:6379/0"}).PM_TOKEN_CACHE_SECONDS == 10
    assert config.Observability({"LOG_FORMAT": "json"}).PM_ACCESS_LOG is True
    assert config.Observability({"LOG_FORMAT": "json", "PM_ACCESS_LOG": "off"}).PM_ACCESS_LOG is False


def test_the_public_url_is_an_https_origin_unless_plain_http_is_allowed() -> None:
    assert config.Https({"PM_PUBLIC_URL": "https://id.example.com/"}).public_url == "https://id.example.com"
    with pytest.raises(ImproperlyConfigured, match="must be an https origin"):
        _ = config.Https({"PM_PUBLIC_URL": "http://id.example.com"}).public_url
    assert config.Https({"PM_PUBLIC_URL": "http://127.0.0.1:8080", "PM_ALLOW_HTTP": "1"}).public_url.startswith("http:")
    with pytest.raises(ImproperlyConfigured, match="PM_FORCE_HTTPS is gone"):
        config.Https({"PM_FORCE_HTTPS": "1"}).check()
