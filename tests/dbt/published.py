"""Helpers shared by the tests that read a published warehouse."""

from __future__ import annotations

import re
from pathlib import Path

from cc_warehouse.publish import publish

SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)
MARTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "marts.md"


def doc_queries(path: Path = MARTS_DOC) -> list[str]:
    """Every ```sql block of docs/marts.md, in order."""
    return SQL_BLOCK.findall(path.read_text(encoding="utf-8"))


def publish_copy(build_db: Path, out: Path) -> Path:
    """The published file of a build, made by the real publish step."""
    return publish(build_db, out).path
