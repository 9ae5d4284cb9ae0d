"""Each app imports only the apps before it in the list (docs/architecture.md)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jiuzhu.capabilities import CAPABILITIES

#: Capabilities planned but not yet installed, in the order they will take after the installed
#: ones (docs/architecture.md); the installed order is jiuzhu/capabilities.py's.
PLANNED = ["evaluation", "discovery", "timebank", "analytics"]
INSTALLED = [name.split(".")[1] for name in CAPABILITIES]
ORDER = INSTALLED + [app for app in PLANNED if app not in INSTALLED]
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


def test_every_app_folder_is_a_registered_capability():
    """An app folder that is not in jiuzhu/capabilities.py would be neither installed nor
    checked for its imports."""
    folders = {path.parent.name for path in SRC.glob("*/apps.py")}
    assert folders == set(INSTALLED)


#: Every module that calls itself pure: plain data in, plain data out, no Django, no ORM. A glob
#: ending in ``/*`` covers a whole package. They may import each other and the standard library,
#: numpy and scipy; importing any of them must never load Django, directly or through a jiuzhu
#: module (a package's ``__init__`` runs on import too, so it is checked as well).
PURE = [
    "assessment/engine/*",
    "assessment/planning.py",
    "catalog/eligibility.py",
    "dispatch/engine/*",
    "evaluation/engine/*",
    "discovery/engine/*",
    "timebank/engine/*",
    "registry/groups.py",
    "core/keyed_digest.py",
]


def pure_files() -> list[Path]:
    files: list[Path] = []
    for entry in PURE:
        if entry.endswith("/*"):
            files += sorted((SRC / entry[:-2]).rglob("*.py"))
        else:
            files.append(SRC / entry)
    return files


def module_name(path: Path) -> str:
    parts = ["jiuzhu", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_path(name: str) -> Path | None:
    base = SRC.joinpath(*name.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved), anywhere in
    the file: a function-level import counts as much as a top-level one."""
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    )
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            # ``from jiuzhu.dispatch.engine import matching`` imports a submodule.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def loaded_with(name: str) -> set[str]:
    """The jiuzhu modules importing ``name`` executes: its parent packages and itself."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(2, len(parts) + 1)} | {"jiuzhu"}


def test_the_pure_list_names_real_files():
    for path in pure_files():
        assert path.is_file(), path
    assert len(pure_files()) > len(PURE)


def test_every_engine_package_is_on_the_pure_list():
    """``<app>/engine/`` is where pure computation goes (docs/architecture.md): a new one is
    checked without anyone remembering to list it."""
    listed = set(pure_files())
    for path in SRC.glob("*/engine/**/*.py"):
        assert path in listed, f"{path.relative_to(SRC)} is in an engine package but not in PURE"


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_a_pure_module_imports_no_django_even_indirectly(path):
    """Follow every jiuzhu import (and the packages it runs) to the end: no file reached may
    import Django, and every jiuzhu module reached must itself be pure."""
    pure = {module_name(p) for p in pure_files()}
    seen: set[str] = set()
    todo = [module_name(path)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        file = module_path(name)
        if file is None:  # ``from package import name`` where name is not a module
            continue
        for imported in imports_of(file):
            top = imported.split(".")[0]
            assert top != "django", f"{file.relative_to(SRC)} imports {imported}"
            if top == "jiuzhu":
                for module in loaded_with(imported):
                    target = module_path(module)
                    if target is None:
                        continue
                    if target.name != "__init__.py":
                        assert module in pure, (
                            f"{file.relative_to(SRC)} imports {module}, which is not pure"
                        )
                    todo.append(module)


def test_importing_the_pure_modules_loads_no_django():
    """The same claim at run time: in a fresh interpreter where ``import django`` fails, every
    pure module imports, and no Django module is loaded afterwards."""
    names = sorted({module_name(p) for p in pure_files()})
    script = "\n".join(
        [
            "import sys",
            "sys.modules['django'] = None  # any import of Django now raises ImportError",
            f"for name in {names!r}:",
            "    __import__(name)",
            "loaded = [m for m, v in sys.modules.items() if m.split('.')[0] == 'django' and v]",
            "assert not loaded, loaded",
            f"print('pure', {len(names)})",
        ]
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == f"pure {len(names)}"
