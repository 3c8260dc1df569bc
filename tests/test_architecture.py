"""The package keeps its shape: import contracts (import-linter), module and function sizes, a lint-clean tree.

The contracts themselves live in pyproject.toml (``[tool.importlinter]``) and
``make test`` runs ``lint-imports`` and ``ruff check`` before pytest; these
tests prove that the contracts can fail, and check what a contract cannot
list: every module that is not a stage or the command line imports no stage.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workflow"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

STAGES = ("extract", "update", "quality", "translate", "review", "compile", "build")
ABOVE_STAGES = ("__main__", "cli", "console", "publish", "packet", "stats",       # may import stages
                "server.app", "server.actions", "server.views", "server.cache",   # the review server's pages
                "exchange.commands", "exchange.xliff", "exchange.xliff_import")   # XLIFF reads review states
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
TABLES = {"workflow/cli.py:build_parser"}          # one argparse table per subcommand: long, but flat


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("workflow", cache_dir=None)


def test_the_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize("added, contract", [
    ({"extract": "from workflow.build import build"}, "Stages never import each other"),
    ({"compile": "import workflow.review"}, "Stages never import each other"),
    ({"checks/numbers": "from workflow.render import environment"}, "The checks never import a stage"),
    ({"update": "import polib"}, "Only the catalogs module"),
    ({"entries": "import requests"}, "Only the translate stage"),
    ({"project": "from workflow import cli"}, "The command line on top"),
    ({"project": "from workflow import chrome", "chrome": "from workflow import project"}, "No import cycle"),
], ids=["stage-to-stage", "compile-to-review", "check-to-render", "polib", "network", "cli", "cycle"])
def test_a_broken_contract_fails(tmp_path, added, contract):
    """The contracts are not decoration: an import that breaks one makes ``lint-imports`` fail, naming it."""
    copy = tmp_path / "project"
    shutil.copytree(PACKAGE, copy / "workflow", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    for importer, line in added.items():
        module = copy / "workflow" / f"{importer}.py"
        module.write_text(module.read_text() + f"\n{line}  # noqa\n")
    result = _lint_imports(copy)
    assert result.returncode != 0
    broken = result.stdout[result.stdout.index("Broken contracts"):]
    assert contract in broken, result.stdout


def test_every_other_module_imports_no_stage(graph):
    """What the layers contract cannot list: a module that is neither a stage nor above one (project, chrome,
    catalogs, entries, findings, the checks, …, and any module added later) reaches no stage, even indirectly."""
    stages = {f"workflow.{name}" for name in STAGES}
    above = {f"workflow.{name}" for name in ABOVE_STAGES}
    shared = sorted(m for m in graph.modules if m.startswith("workflow") and m not in stages | above
                    and not any(m == s or m.startswith(s + ".") for s in stages))
    chains = []
    for module in shared:
        for stage in sorted(stages):
            if graph.chain_exists(module, stage):
                chains.append(" -> ".join(graph.find_shortest_chain(module, stage)))
    assert shared and not chains, "\n".join(chains)


def _functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


def test_nothing_imports_the_command_line(graph):
    assert graph.find_modules_that_directly_import("workflow.cli") == {"workflow.__main__"}
    assert graph.find_modules_that_directly_import("workflow.console") == {"workflow.cli"}


def test_modules_and_functions_stay_small():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        shown = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{shown}: {lines} lines (at most {MAX_MODULE_LINES})")
        for name, length in _functions(path):
            if length > MAX_FUNCTION_LINES and f"{shown}:{name}" not in TABLES:
                too_long.append(f"{shown}: {name}() is {length} lines (at most {MAX_FUNCTION_LINES})")
    assert not too_long, "\n".join(too_long)


def test_the_tree_is_lint_clean():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "--no-cache", "workflow", "tests", "bench"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
