"""No module imports from a layer above its own.

Every import of every module under orchestration/ and dashboards/ counts, at module level
and inside functions alike (a lazy import is still an arrow). A module may import its own
area and any area of a lower layer; the areas of one layer stay independent of each other
(the Dagster wiring and the dashboards, for one, know nothing of each other).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from orchestration.config import REPO_ROOT

PACKAGES = ("orchestration", "dashboards")

# Lowest layer first: each maps its areas to the module prefixes they hold.
LAYERS: list[dict[str, tuple[str, ...]]] = [
    # The settings object, the seeds' parameters and code lists, and the digests of code and
    # data a kept computation is named by: everything reads them.
    {"settings": ("orchestration", "orchestration.config", "orchestration.reference_data",
                  "orchestration.digests")},
    # Pure libraries, no Dagster: the ingest rules, the outcome statistics, disclosure control.
    {"ingest": ("orchestration.ingest",), "outcomes": ("orchestration.outcomes",),
     "disclosure": ("orchestration.disclosure",)},
    # The synthetic landing zone (written to the ingest rules' contract); the warehouse and
    # the run records both the Dagster wiring and the command line read and write.
    {"synthetic": ("orchestration.synthetic",), "storage": ("orchestration.storage",)},
    # The Dagster wiring; the dashboards, which read only the published file.
    {"defs": ("orchestration.defs",), "dashboards": ("dashboards",)},
    # The in-process run of `ppa run`; the monthly packets e-mailed, built from the
    # publications by the dashboards' own data access.
    {"runner": ("orchestration.runner",), "delivery": ("orchestration.delivery",)},
    # The benchmarks and the outcome validation harness.
    {"bench": ("orchestration.bench",)},
    # The `ppa` command line.
    {"cli": ("orchestration.cli",)},
]


def area_of(module: str) -> tuple[int, str] | None:
    """(layer, area) of a dotted module name, by its longest listed prefix; None if unlisted.
    The bare package `orchestration` holds only itself: a new subpackage must be placed."""
    best = None
    for layer, areas in enumerate(LAYERS):
        for area, prefixes in areas.items():
            for prefix in prefixes:
                covers = module == prefix or (
                    prefix != "orchestration" and module.startswith(prefix + ".")
                )
                if covers and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), layer, area)
    return None if best is None else best[1:]


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted name) of everything `module` imports, `from a import b` as `a.b`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                package = package[: len(package) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, base] if base else package)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def upward_imports(path: Path, source: str) -> list[str]:
    """Each import of the module at `path` that points to another area of its own layer or
    to a higher one, as `module:line imports name (layer area)`."""
    module = module_name(path)
    own = area_of(module)
    assert own is not None, f"{module} has no layer: place its package in LAYERS"
    problems = []
    for line, name in imported_modules(source, module, path.name == "__init__.py"):
        target = area_of(name)
        if target is None or target[1] == own[1] or target[0] < own[0]:
            continue
        problems.append(
            f"{module}:{line} (layer {own[0]}, {own[1]}) imports {name} "
            f"(layer {target[0]}, {target[1]})"
        )
    return problems


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (REPO_ROOT / package).rglob("*.py"))


def test_every_module_has_a_layer():
    unplaced = [module_name(p) for p in modules() if area_of(module_name(p)) is None]
    assert not unplaced, f"modules outside every layer (add their package to LAYERS): {unplaced}"


def test_no_module_imports_from_a_layer_above_its_own():
    problems = [problem for path in modules()
                for problem in upward_imports(path, path.read_text())]
    assert not problems, "imports that run up the layers:\n" + "\n".join(problems)


@pytest.mark.parametrize(("module", "source", "flagged"), [
    ("orchestration/storage/warehouse.py", "def f():\n    from orchestration.cli import main\n",
     "orchestration.cli.main (layer 6, cli)"),
    ("orchestration/ingest/batch.py", "import orchestration.storage.postgres\n",
     "orchestration.storage.postgres (layer 2, storage)"),
    ("dashboards/views/site.py", "from orchestration.defs import resources\n",
     "orchestration.defs.resources (layer 3, defs)"),
    ("orchestration/defs/jobs.py", "from dashboards.users import add_user\n",
     "dashboards.users.add_user (layer 3, dashboards)"),
    ("orchestration/runner/pipeline.py", "from ..bench import runs\n",
     "orchestration.bench.runs (layer 5, bench)"),
])
def test_the_check_names_the_module_and_the_import_that_runs_up(module, source, flagged):
    [problem] = upward_imports(REPO_ROOT / module, source)
    assert problem.startswith(f"{module[:-3].replace('/', '.')}:")
    assert problem.endswith(f"imports {flagged}")


def test_the_check_lets_imports_down_and_within_an_area_pass():
    source = ("from orchestration.config import Settings\n"
              "from orchestration.storage.warehouse import ensure_raw_schema\n"
              "from orchestration.defs.jobs import AS_OF_TAG\n"
              "from . import pipeline\n")
    assert upward_imports(REPO_ROOT / "orchestration/runner/run_liveness.py", source) == []
