"""The docs name only modules, objects and files that exist: a renamed module fails here, not in a reader's
hands. Checks README.md, docs/*.md and the READMEs of dbt_project/ and plugins/ (text only, nothing imported)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        ROOT / "dbt_project" / "README.md",
        ROOT / "plugins" / "README.md",
    ]
)
DOTTED = re.compile(r"\b(?:cc_warehouse|cc_warehouse_demo)(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
PATH = re.compile(r"(?<![\w/.$-])(?:include|dags|plugins|tests|dbt_project|expectations|docs)/[\w./-]*[\w/]")


def _doc_names(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    return sorted(
        {
            (doc.relative_to(ROOT).as_posix(), match.group(0))
            for doc in DOCS
            for match in pattern.finditer(doc.read_text(encoding="utf-8"))
        }
    )


@cache
def _top_level_names(module_file: Path) -> frozenset[str]:
    tree = ast.parse(module_file.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return frozenset(names)


def _resolves(dotted: str) -> bool:
    """A package/module path under include/, optionally followed by one top-level name of that module and
    an attribute of it (``cc_warehouse.config.settings``, ``cc_warehouse.sources.registry.Registry.entity``)."""
    parts = dotted.split(".")
    base = ROOT / "include"
    for depth, part in enumerate(parts):
        if (base / part).is_dir():
            base = base / part
            continue
        if (base / f"{part}.py").is_file():
            rest = parts[depth + 1 :]
            return not rest or rest[0] in _top_level_names(base / f"{part}.py")
        if depth > 0 and (base / "__init__.py").is_file():
            return part in _top_level_names(base / "__init__.py")
        return False
    return True


@pytest.mark.parametrize(("doc", "dotted"), _doc_names(DOTTED))
def test_named_module_exists(doc, dotted):
    assert _resolves(dotted), f"{doc} names {dotted}, which does not exist"


@pytest.mark.parametrize(("doc", "path"), _doc_names(PATH))
def test_named_path_exists(doc, path):
    assert (ROOT / path).exists(), f"{doc} names {path}, which does not exist"


def test_the_check_sees_the_docs():
    """Guard against a check that passes because it reads nothing."""
    dotted = {name for _, name in _doc_names(DOTTED)}
    assert {"cc_warehouse.config.settings", "cc_warehouse.sources.registry.load_registry"} <= dotted
    assert not _resolves("cc_warehouse.privacy.registry")
    assert not _resolves("cc_warehouse.orchestration.transform.build_db_path")
    assert _resolves("cc_warehouse.publish.publish")  # re-exported by the package
    assert len(_doc_names(PATH)) > 10
