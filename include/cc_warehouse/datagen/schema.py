"""The record contract from the source registry: which entities are served and their nested field sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

# Fields the extractor adds itself (merged from a helper call), so the list endpoint never returns them.
MERGED_BY_EXTRACTOR: dict[str, frozenset[str]] = {"red.orders": frozenset({"receiver"})}

FieldTree = dict[str, "FieldTree | None"]


def registry_path() -> Path:
    return Path(__file__).resolve().parents[1] / "sources" / "registry.yml"


def load_entities(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """`entities:` of the registry."""
    with open(path or registry_path(), encoding="utf-8") as fh:
        return yaml.safe_load(fh)["entities"]


def api_entities(entities: dict[str, dict[str, Any]]) -> list[str]:
    """Entities served over HTTP (the others arrive as files)."""
    return [name for name, spec in entities.items() if "api" in spec]


def _tree(fields: dict[str, Any]) -> FieldTree:
    out: FieldTree = {}
    for name, spec in fields.items():
        nested = spec.get("fields") or spec.get("items") if isinstance(spec, dict) else None
        out[name] = _tree(nested) if nested else None
    return out


def expected_tree(entity_spec: dict[str, Any], entity: str) -> FieldTree:
    """Registry fields of an entity as served by its API (nested fields for objects and lists of objects)."""
    tree = _tree(entity_spec["fields"])
    for merged in MERGED_BY_EXTRACTOR.get(entity, ()):
        tree.pop(merged, None)
    return tree


def arrow_tree(dtype: pa.DataType | pa.Schema) -> FieldTree | None:
    """The same shape from an Arrow schema: structs and lists of structs nest, the rest are leaves."""
    if isinstance(dtype, pa.Schema):
        return {f.name: arrow_tree(f.type) for f in dtype}
    if pa.types.is_struct(dtype):
        return {dtype.field(i).name: arrow_tree(dtype.field(i).type) for i in range(dtype.num_fields)}
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return arrow_tree(dtype.value_type) if pa.types.is_struct(dtype.value_type) else None
    return None


def check_table(entity: str, table: pa.Table, entity_spec: dict[str, Any]) -> None:
    """Raise ValueError if the table's (nested) columns differ from the registry's field set."""
    expected, actual = expected_tree(entity_spec, entity), arrow_tree(table.schema)
    if expected != actual:
        raise ValueError(f"{entity}: generated fields {actual} differ from the registry {expected}")
