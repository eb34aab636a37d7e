"""The shape of ``portal/`` (issue #6): small modules and classes, one layering, no Reflex below the
states, no copied blocks. A new module that breaks a bound fails here, not in review."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[1] / "portal"
MAX_MODULE_LINES = 400
MAX_STATE_CLASS_LINES = 150
MAX_FUNCTION_LINES = 60
DUPLICATE_WINDOW = 6

# Lower layers never import higher ones: routes ← core ← models ← services ← (seed, jobs, api) ← state ← pages ← app.
LAYER = {
    "routes": 0,
    "core": 1,
    "models": 2,
    "services": 3,
    "seed": 4,
    "jobs": 4,
    "api": 4,
    "state": 5,
    "pages": 6,
    "portal": 7,
    "cli": 7,
}
NO_REFLEX = ("core", "models", "services")


def _modules() -> list[Path]:
    return sorted(p for p in PORTAL.rglob("*.py") if "__pycache__" not in p.parts)


def _package(path: Path) -> str:
    parts = path.relative_to(PORTAL).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(tree: ast.AST) -> list[str]:
    """Every module imported anywhere in the file, functions' bodies included."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _imported_package(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "portal" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYER else None


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PORTAL)))
def test_module_is_small_enough(path: Path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PORTAL)))
def test_functions_and_state_classes_are_small(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        length = (node.end_lineno or node.lineno) - node.lineno + 1 if hasattr(node, "lineno") else 0
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert length <= MAX_FUNCTION_LINES, f"{node.name} has {length} lines"
        if isinstance(node, ast.ClassDef) and _package(path) == "state":
            assert length <= MAX_STATE_CLASS_LINES, f"{node.name} has {length} lines"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PORTAL)))
def test_imports_follow_the_layers(path: Path):
    own = _package(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name in _imports(tree):
        if own in NO_REFLEX:
            assert name.split(".")[0] != "reflex", f"{path.name} imports {name}"
        target = _imported_package(name)
        if target is not None and target != own:
            assert LAYER[target] <= LAYER[own], f"{own} ({path.name}) imports {name} from a higher layer"


def _logic_lines(path: Path) -> list[tuple[int, str]]:
    """Lines that carry logic: no blanks, comments, docstring-only lines, imports or lone brackets."""
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "from ", "import ", '"""', "@")) or re.fullmatch(r"[\)\]\},:]*", line):
            continue
        out.append((number, line))
    return out


def test_no_block_of_logic_stands_twice():
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in _modules():
        if path.name == "tables.py" or "migrations" in path.parts:
            continue  # table columns repeat by nature
        lines = _logic_lines(path)
        for i in range(len(lines) - DUPLICATE_WINDOW + 1):
            window = tuple(text for _, text in lines[i : i + DUPLICATE_WINDOW])
            seen[window].append(f"{path.relative_to(PORTAL)}:{lines[i][0]}")
    repeated = {places[0]: places[1:] for places in seen.values() if len(places) > 1}
    assert not repeated, f"blocks of {DUPLICATE_WINDOW} lines that stand twice: {repeated}"


# Issue #19: the tree shows the domains at a glance. Services live in a domain (``base`` holds what
# every domain uses); states and pages too, apart from the few every page shares.
DOMAINS = {
    "base",
    "demands",
    "enterprises",
    "supervision",
    "policies",
    "ledgers",
    "accounts",
    "calendar",
    "admin",
    "operations",
    "classes",
    "delivery",
    "open311",
}
SHARED_AT_TOP = {
    "services": set(),
    "state": {"base", "auth", "display", "failures", "notifications", "uploads", "home"},
    "pages": {"public"},
}


@pytest.mark.parametrize("layer", sorted(SHARED_AT_TOP))
def test_each_layer_is_grouped_by_domain(layer: str):
    root = PORTAL / layer
    loose = {p.stem for p in root.glob("*.py") if p.stem != "__init__"} - SHARED_AT_TOP[layer]
    assert not loose, f"modules of {layer}/ outside a domain: {sorted(loose)}"
    packages = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - {"components"} <= DOMAINS, f"unknown domains in {layer}/: {packages - DOMAINS}"


def test_base_services_depend_on_no_domain():
    """``services/base`` is what every domain builds on; it knows only who is acting."""
    for path in (PORTAL / "services" / "base").glob("*.py"):
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name.startswith("portal.services.") and not name.startswith("portal.services.base"):
                assert name.startswith("portal.services.accounts.actor"), f"{path.name} imports {name}"
