"""Plant a hostile corpus into every free-text field of every source (``--plant-corpus FILE``).

The corpus file has one case a line, ``class | value,value,... | text`` (``#`` comments, ``\\uXXXX`` escapes
for invisible characters): see ``tests/privacy/hostile_corpus.txt``. Every non-``benign`` text is written
into every field the registry marks ``treatment: redact`` of every entity (nested fields included), on
rows spread over the table; where a table has fewer rows than the corpus has texts, one row carries several
texts joined by ``；又说：`` (CJK between them, so no digit chain or address runs from one text into the
next). The ground truth lists, per entity and field path, which corpus lines went into which row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
from cc_warehouse.sources.registry import EntitySpec, FieldSpec

JOINER = "；又说："
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


class PlantText(NamedTuple):
    line: int
    kind: str
    values: tuple[str, ...]
    text: str


def load_corpus(path: Path) -> list[PlantText]:
    """The corpus cases of ``path`` except the ``benign`` ones (those are not personal data)."""
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, values, text = (part.strip() for part in line.split(" | ", 2))
        if kind == "benign":
            continue
        text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text).replace("\\\\", "\\")
        cases.append(PlantText(number, kind, tuple(v.strip() for v in values.split(",")), text))
    return cases


def redact_paths(fields: dict[str, FieldSpec], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths of the free-text (``redact``) fields, through nested objects (not through lists of objects)."""
    out: list[tuple[str, ...]] = []
    for name, spec in fields.items():
        if spec.treatment == "redact":
            out.append((*prefix, name))
        elif spec.fields:
            out.extend(redact_paths(spec.fields, (*prefix, name)))
    return out


def _set_path(column: pa.Array, path: Sequence[str], rows: np.ndarray, texts: list[str]) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not path:
        values = column.to_pylist()
        for row, text in zip(rows.tolist(), texts, strict=True):
            values[row] = text
        return pa.array(values, type=column.type)
    children = [column.field(i) for i in range(column.type.num_fields)]
    names = [column.type.field(i).name for i in range(column.type.num_fields)]
    at = names.index(path[0])
    children[at] = _set_path(children[at], path[1:], rows, texts)
    return pa.StructArray.from_arrays(children, names=names, mask=column.is_null())


def plant(
    table: pa.Table, spec: EntitySpec, corpus: list[PlantText], rows: np.ndarray | None = None
) -> tuple[pa.Table, dict[str, list[dict]]]:
    """``table`` with every corpus text in each of its free-text fields (only on ``rows`` when given), and
    the planting as ``{field path: [{"row": r, "lines": [corpus line, ...]}]}``."""
    eligible = np.arange(table.num_rows) if rows is None else np.asarray(rows)
    paths = redact_paths(spec.fields)
    if not corpus or not paths:
        return table, {}
    if eligible.size == 0:
        raise ValueError(f"{spec.name} has no rows to plant the corpus into: generate more customers or days")
    slots = min(eligible.size, len(corpus))
    chosen = eligible[np.linspace(0, eligible.size - 1, slots).round().astype(int)]
    groups = [corpus[i::slots] for i in range(slots)]
    texts = [JOINER.join(case.text for case in group) for group in groups]
    planted: dict[str, list[dict]] = {}
    for path in paths:
        at = table.column_names.index(path[0])
        table = table.set_column(at, path[0], _set_path(table.column(at), path[1:], chosen, texts))
        planted[".".join(path)] = [
            {"row": int(row), "lines": [case.line for case in group]}
            for row, group in zip(chosen.tolist(), groups, strict=True)
        ]
    return table, planted
