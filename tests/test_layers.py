"""Dependencies point one way (../shared/DESIGN.md): a package imports only the floors below it.

    plumbing  <-  workspaces  <-  directory  <-  oauth_apps, processes  <-  accounts  <-  api, pmimport  <-  pmsite

`plumbing` knows nothing of tenants, users or OAuth: compiled statements, the rows a process keeps,
the shared cache and counters, metrics, request ids.

Every import in every module counts, function-local ones included: an import placed inside a
function to dodge a cycle is still an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "plumbing": set(),
    "workspaces": {"plumbing"},
    "directory": {"plumbing", "workspaces"},
    "oauth_apps": {"plumbing", "workspaces", "directory"},
    "processes": {"plumbing", "workspaces"},
    "accounts": {"plumbing", "workspaces", "directory", "oauth_apps"},
    "api": {"plumbing", "workspaces", "directory", "oauth_apps", "processes", "accounts"},
    "pmimport": {"plumbing", "workspaces", "directory", "oauth_apps", "accounts"},
    "pmsite": {"plumbing", "workspaces", "directory", "oauth_apps", "processes", "accounts", "api"},
}
MAX_MODULE_LINES = 400


def modules(package: str) -> list[Path]:
    return sorted((PROJECT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    """The top-level names of everything `path` imports, at any depth of the module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def upward_imports(package: str) -> list[str]:
    forbidden = set(ALLOWED) - ALLOWED[package] - {package}
    return [
        f"{path.relative_to(PROJECT)} imports {name}"
        for path in modules(package)
        for name in sorted(imported_packages(path) & forbidden)
    ]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_floors_below_it(package: str) -> None:
    assert modules(package), f"{package} has no modules"
    assert upward_imports(package) == []


def test_the_check_sees_a_function_local_import(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("def f():\n    from api.users import UserListView\n    return UserListView\n")
    assert imported_packages(module) == {"api"}


def test_every_package_of_ours_is_placed_on_a_floor() -> None:
    packages = {path.parent.name for path in PROJECT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_module_is_too_long_to_read_in_one_sitting(package: str) -> None:
    long = [
        f"{path.relative_to(PROJECT)}: {lines} lines"
        for path in modules(package)
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []
