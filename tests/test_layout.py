"""The map stays readable: the engine never imports discord, cogs never import statsmodels or matplotlib,
and the bot process can read everything the workers send back without loading them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports_of(path: Path) -> list[str]:
    """Top-level module names a Python file imports."""
    import ast

    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_engine_never_imports_discord():
    for path in (ROOT / "bot" / "regression").glob("*.py"):
        assert not [n for n in imports_of(path) if n.split(".")[0] == "discord"], path


def test_cogs_never_import_statsmodels_or_matplotlib():
    for path in (ROOT / "cogs").glob("*.py"):
        heavy = [n for n in imports_of(path) if n.split(".")[0] in ("statsmodels", "matplotlib", "patsy")]
        assert not heavy, path


def test_the_bot_process_does_not_load_the_numerical_engine():
    code = (
        "import pkgutil, importlib, sys, cogs, bot.app, bot.regression.pages\n"
        "for m in pkgutil.iter_modules(cogs.__path__): importlib.import_module('cogs.' + m.name)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'statsmodels', 'matplotlib', 'patsy', 'scipy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
