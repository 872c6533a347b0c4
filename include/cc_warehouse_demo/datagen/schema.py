"""The record contract from the source registry: which entities are served and their nested field sets.

The registry is read through its one parser (``sources.registry``), never as YAML here.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from cc_warehouse.sources.registry import EntitySpec, FieldSpec, load_registry

# Fields the extractor adds itself (merged from a helper call), so the list endpoint never returns them.
MERGED_BY_EXTRACTOR: dict[str, frozenset[str]] = {"red.orders": frozenset({"receiver"})}

FieldTree = dict[str, "FieldTree | None"]


def load_entities(path: Path | None = None) -> dict[str, EntitySpec]:
    """The registry's entities, by name."""
    return load_registry(path).entities


def api_entities(entities: dict[str, EntitySpec]) -> list[str]:
    """Entities served over HTTP (the others arrive as files)."""
    return [name for name, spec in entities.items() if spec.api is not None]


def _tree(fields: dict[str, FieldSpec]) -> FieldTree:
    out: FieldTree = {}
    for name, spec in fields.items():
        nested = spec.fields or spec.items
        out[name] = _tree(nested) if nested else None
    return out


def expected_tree(entity_spec: EntitySpec, entity: str) -> FieldTree:
    """Registry fields of an entity as served by its API (nested fields for objects and lists of objects)."""
    tree = _tree(entity_spec.fields)
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


def check_table(entity: str, table: pa.Table, entity_spec: EntitySpec) -> None:
    """Raise ValueError if the table's (nested) columns differ from the registry's field set."""
    expected, actual = expected_tree(entity_spec, entity), arrow_tree(table.schema)
    if expected != actual:
        raise ValueError(f"{entity}: generated fields {actual} differ from the registry {expected}")
