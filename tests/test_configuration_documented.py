"""Every environment variable the app reads is in docs/configuration.md's table, with a default and a
meaning: the settings (through pmsite/environment.py's helpers), docker/entrypoint.sh and the
management commands."""

from __future__ import annotations

import re

from tests.live import PROJECT

# Python: env("X"), env_bool("X"), ..., ip_addresses("X"), os.environ.get("X"), os.environ["X"].
PYTHON_READ = re.compile(
    r"""\b(?:env|env_bool|env_int|env_list|ip_addresses|ip_networks)\(\s*"([A-Z][A-Z0-9_]*)"|"""
    r"""os\.environ(?:\.get\(\s*|\[)"([A-Z][A-Z0-9_]*)"|getenv\(\s*"([A-Z][A-Z0-9_]*)\""""
)
SHELL_READ = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
# docker/entrypoint.sh's own variables, set in the script from PM_BIND: not read from the environment.
ENTRYPOINT_LOCALS = {"BIND", "HOST", "PORT"}


def documented() -> set[str]:
    table = [line for line in (PROJECT / "docs" / "configuration.md").read_text().splitlines() if line.startswith("|")]
    names: set[str] = set()
    for row in table:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) >= 3 and cells[2] and not set(cells[0]) <= {"-", " "}:
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]))
    return names


def read_by_python() -> set[str]:
    sources = [*(PROJECT / "pmsite").glob("*.py"), *PROJECT.glob("*/management/commands/*.py")]
    return {
        name for path in sources for match in PYTHON_READ.finditer(path.read_text()) for name in match.groups() if name
    }


def read_by_the_entrypoint() -> set[str]:
    return set(SHELL_READ.findall((PROJECT / "docker" / "entrypoint.sh").read_text())) - ENTRYPOINT_LOCALS


def test_every_variable_read_is_documented() -> None:
    read = read_by_python() | read_by_the_entrypoint()
    assert {"DATABASE_URL", "PM_PUBLIC_URL", "PM_ADMIN_PASSWORD", "WEB_CONCURRENCY"} <= read  # the scan finds them
    missing = sorted(read - documented())
    assert missing == [], f"read but not in docs/configuration.md: {missing}"


def test_nothing_is_documented_that_nothing_reads() -> None:
    read = read_by_python() | read_by_the_entrypoint()
    assert sorted(documented() - read) == []
