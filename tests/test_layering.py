"""Each app imports only the apps before it in the list (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

ORDER = [
    "core",
    "registry",
    "catalog",
    "orders",
    "assessment",
    "dispatch",
    "evaluation",
    "discovery",
    "timebank",
    "analytics",
]
SRC = Path(__file__).resolve().parents[1] / "src" / "jiuzhu"


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {
        name.split(".")[1]
        for name in names
        if name.startswith("jiuzhu.") and name.split(".")[1] in ORDER
    }


@pytest.mark.parametrize("app", [app for app in ORDER if (SRC / app).is_dir()])
def test_an_app_imports_only_earlier_apps(app):
    allowed = set(ORDER[: ORDER.index(app) + 1])
    offending = {
        f"{path.relative_to(SRC)} imports {sorted(imported_apps(path) - allowed)}"
        for path in (SRC / app).rglob("*.py")
        if imported_apps(path) - allowed
    }
    assert not offending


def test_the_pure_engine_imports_no_django():
    for path in (SRC / "assessment" / "engine").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for module in modules:
                assert not module.startswith(("django", "jiuzhu.core", "jiuzhu.registry")), path
