"""The source registry (``registry.yml`` beside this module): its model, parser and validation.

The one reader of the YAML: extraction, the load, the gate, the reports, retention and the demo generator
all ask ``load_registry()``, which parses and validates the file once (cached). What is done to a record
with it (tokens, masks, redaction) lives in ``privacy.treatment``.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from cc_warehouse.privacy.tokens import TOKEN_PATTERN

DEFAULT_REGISTRY_PATH = Path(__file__).parent / "registry.yml"
TREATMENTS = frozenset({"keep", "drop", "token", "mask", "coarsen", "redact"})
LEVELS = frozenset({"basic", "behaviour", "transaction"})
ID_FACTS = ("is_valid", "is_under_14", "age_band")


class UnclassifiedFieldError(ValueError):
    """A record field that the registry does not classify (named by entity and path, never by value)."""

    def __init__(self, entity: str, path: str, reason: str = "field not classified in the registry") -> None:
        self.entity = entity
        self.path = path
        super().__init__(f"{entity}: {path}: {reason}")


@dataclass(frozen=True)
class FieldSpec:
    """One registry field; ``fields`` for a nested object, ``items`` for a list of objects."""

    name: str
    level: str
    treatment: str
    purpose: str = ""
    sensitive: bool = False
    kind: str | None = None
    output: str | None = None
    decrypt: bool = False
    derive: str | None = None
    identifier: str | None = None
    fields: dict[str, FieldSpec] | None = None
    items: dict[str, FieldSpec] | None = None

    @property
    def facts_prefix(self) -> str:
        """Prefix of the ``derive: id_facts`` columns: the output name without ``_token``."""
        output = self.output or self.name
        return output[: -len("_token")] if output.endswith("_token") else output

    def written_names(self) -> tuple[str, ...]:
        """Keys this field produces in a treated record."""
        if self.treatment == "drop":
            return ()
        if self.treatment in ("token", "coarsen"):
            derived = tuple(f"{self.facts_prefix}_{fact}" for fact in ID_FACTS) if self.derive else ()
            return (self.output or self.name, *derived)
        return (self.name,)


class FieldRow(NamedTuple):
    """One field of the registry, flattened for reports and dbt meta."""

    entity: str
    path: str
    level: str
    sensitive: bool
    treatment: str
    kind: str | None
    output: str | None
    purpose: str


@dataclass(frozen=True)
class EntitySpec:
    """One source entity: API or file drop, key, update-time field, retention, headers and field tree."""

    name: str
    fields: dict[str, FieldSpec]
    description: str = ""
    api: dict[str, Any] | None = None
    file: dict[str, Any] | None = None
    key: str | list[str] | None = None
    updated_at: str | None = None
    retention_days: int | None = None
    headers: dict[str, str] | None = None

    @property
    def source(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        """Raw table name ``<source>_<entity>``."""
        return self.name.replace(".", "_", 1)

    @property
    def key_fields(self) -> tuple[str, ...]:
        """Key field paths as delivered (dotted for nested fields)."""
        if self.key is None:
            return ()
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)

    @property
    def landed_key(self) -> tuple[str, ...]:
        """Key field paths in the treated record (a tokenised key field is found under its output)."""
        paths = []
        for key_path in self.key_fields:
            parts = key_path.split(".")
            specs = self.fields
            for depth, part in enumerate(parts):
                spec = specs.get(part)
                if spec is None:
                    raise ValueError(f"{self.name}: key {key_path} is not a registry field")
                if depth < len(parts) - 1:
                    specs = spec.fields or {}
                elif spec.treatment == "token":
                    parts[depth] = spec.output or part
            paths.append(".".join(parts))
        return tuple(paths)


@dataclass(frozen=True)
class MartPurposes:
    """Why each published mart column exists (PIPL art. 6): ``mart_purposes`` of the registry."""

    tables: dict[str, str]
    columns: dict[str, str]
    patterns: tuple[tuple[str, str], ...] = ()

    def column(self, table: str, column: str) -> tuple[str, str] | None:
        """``(purpose, rule)`` of ``column`` in ``schema.table``: a ``table.column`` entry, the bare column
        name, then the first matching pattern; None when the column has no purpose."""
        for key in (f"{table}.{column}", f"{table.rsplit('.', 1)[-1]}.{column}", column):
            if key in self.columns:
                return self.columns[key], key
        for pattern, purpose in self.patterns:
            if fnmatch.fnmatchcase(column, pattern):
                return purpose, pattern
        return None


def _mart_purposes(raw: dict[str, Any] | None) -> MartPurposes:
    raw = raw or {}
    patterns = tuple((str(k), str(v)) for item in raw.get("patterns") or () for k, v in item.items())
    return MartPurposes(
        {str(k): " ".join(str(v).split()) for k, v in (raw.get("tables") or {}).items()},
        {str(k): " ".join(str(v).split()) for k, v in (raw.get("columns") or {}).items()},
        patterns,
    )


class Registry:
    """The parsed registry; build with ``load_registry``."""

    def __init__(
        self,
        path: Path,
        version: int,
        token_pattern: str,
        retention_days: dict[str, int],
        entities: dict[str, EntitySpec],
        identifier_types: dict[str, str] | None = None,
        identifier_columns: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.identifier_types = dict(identifier_types or {})
        self.role_mailboxes: frozenset[str] = frozenset()
        self.mart_purposes = MartPurposes({}, {})
        self._identifier_columns = _identifier_columns(entities, identifier_columns or {})
        self.version = version
        self.token_pattern = token_pattern
        self.retention_days = retention_days
        self.entities = entities

    def identifier_type(self, column: str) -> str | None:
        """The identifier type of a warehouse column (raw leaf ``parent__field``, staging or mart name), or
        None: typed identifiers get a shape check instead of the PII detectors."""
        leaf = column.rsplit("__", 1)[-1]
        return self._identifier_columns.get(leaf) or self._identifier_columns.get(_snake(leaf))

    @property
    def entity_names(self) -> list[str]:
        return list(self.entities)

    def entity(self, name: str) -> EntitySpec:
        """The entity ``source.entity`` (the raw table name ``source_entity`` is accepted too)."""
        spec = self.entities.get(name) or self.entities.get(name.replace("_", ".", 1))
        if spec is None:
            raise KeyError(f"unknown entity {name!r}; known: {', '.join(self.entities)}")
        return spec

    def fields_flat(self, entity: str | None = None) -> list[FieldRow]:
        """Every field (nested ones as ``a.b``, list items as ``a[].b``) of one or all entities."""
        names = [self.entity(entity).name] if entity else list(self.entities)
        rows: list[FieldRow] = []
        for name in names:
            _flatten(name, self.entities[name].fields, "", rows)
        return rows


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _identifier_columns(entities: dict[str, EntitySpec], aliases: dict[str, str]) -> dict[str, str]:
    """Column name → identifier type: every typed field (as delivered and in snake_case) and the aliases."""
    found: dict[str, str] = {}

    def visit(fields: dict[str, FieldSpec]) -> None:
        for spec in fields.values():
            if spec.identifier:
                found[spec.name] = found[_snake(spec.name)] = spec.identifier
            visit(spec.fields or {})
            visit(spec.items or {})

    for entity in entities.values():
        visit(entity.fields)
    found.update(aliases)
    return found


def _flatten(entity: str, fields: dict[str, FieldSpec], prefix: str, rows: list[FieldRow]) -> None:
    for spec in fields.values():
        path = prefix + spec.name
        rows.append(
            FieldRow(entity, path, spec.level, spec.sensitive, spec.treatment, spec.kind, spec.output, spec.purpose)
        )
        if spec.fields:
            _flatten(entity, spec.fields, path + ".", rows)
        if spec.items:
            _flatten(entity, spec.items, path + "[].", rows)


# --- parsing and validation ----------------------------------------------------------------------
def _parse_fields(entity: str, raw: dict[str, Any], prefix: str) -> dict[str, FieldSpec]:
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{entity}: {prefix or 'fields'}: expected a mapping of fields")
    specs: dict[str, FieldSpec] = {}
    for name, body in raw.items():
        path = prefix + str(name)
        if not isinstance(body, dict):
            raise ValueError(f"{entity}: {path}: field must be a mapping")
        spec = FieldSpec(
            name=str(name),
            level=body.get("level", ""),
            treatment=body.get("treatment", ""),
            purpose=str(body.get("purpose", "")),
            sensitive=bool(body.get("sensitive", False)),
            kind=body.get("kind"),
            output=body.get("output"),
            decrypt=bool(body.get("decrypt", False)),
            derive=body.get("derive"),
            identifier=body.get("identifier"),
            fields=_parse_fields(entity, body["fields"], path + ".") if "fields" in body else None,
            items=_parse_fields(entity, body["items"], path + "[].") if "items" in body else None,
        )
        _validate_field(entity, path, spec)
        specs[spec.name] = spec
    written: dict[str, str] = {}
    for spec in specs.values():
        for out_name in spec.written_names():
            if out_name in written or (out_name != spec.name and out_name in specs):
                raise ValueError(f"{entity}: {prefix}{spec.name}: output {out_name!r} collides with a field")
            written[out_name] = spec.name
    return specs


def _validate_field(entity: str, path: str, spec: FieldSpec) -> None:
    def fail(reason: str) -> None:
        raise ValueError(f"{entity}: {path}: {reason}")

    if spec.level not in LEVELS:
        fail(f"level must be one of {sorted(LEVELS)}")
    if spec.treatment not in TREATMENTS:
        fail(f"treatment must be one of {sorted(TREATMENTS)}")
    if (spec.fields or spec.items) and spec.treatment != "keep":
        fail("only a kept field may have nested fields or items")
    if spec.fields and spec.items:
        fail("a field has either fields or items, not both")
    if spec.treatment == "token" and not (spec.kind and spec.output):
        fail("token needs kind and output")
    if spec.treatment == "coarsen" and not (spec.kind == "age_band" and spec.output):
        fail("coarsen supports kind age_band with an output")
    if spec.identifier and spec.treatment != "keep":
        fail("only a kept field can be an identifier")
    if spec.derive not in (None, "id_facts") or (spec.derive and spec.treatment != "token"):
        fail("derive supports only id_facts on a token field")


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Registry:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if raw.get("token_pattern") != TOKEN_PATTERN:
        raise ValueError(f"{path}: token_pattern must equal {TOKEN_PATTERN!r}")
    entities = {}
    for name, body in raw["entities"].items():
        entities[name] = EntitySpec(
            name=name,
            fields=_parse_fields(name, body.get("fields"), ""),
            description=body.get("description", ""),
            api=body.get("api"),
            file=body.get("file"),
            key=body.get("key"),
            updated_at=body.get("updated_at"),
            retention_days=body.get("retention_days"),
            headers=body.get("headers"),
        )
    types = dict(raw.get("identifier_types") or {})
    aliases = dict(raw.get("identifier_columns") or {})
    registry = Registry(
        Path(path),
        int(raw.get("version", 1)),
        raw["token_pattern"],
        dict(raw.get("retention_days") or {}),
        entities,
        types,
        aliases,
    )
    registry.role_mailboxes = frozenset(str(m).lower() for m in raw.get("role_mailboxes") or ())
    registry.mart_purposes = _mart_purposes(raw.get("mart_purposes"))
    unknown = sorted({kind for kind in registry._identifier_columns.values() if kind not in types})
    if unknown:
        raise ValueError(f"{path}: identifier types without a pattern in identifier_types: {unknown}")
    return registry


def load_registry(path: str | Path | None = None) -> Registry:
    """The registry at ``path`` (default: the project's ``sources/registry.yml``), parsed once and cached."""
    return _load(str(Path(path or DEFAULT_REGISTRY_PATH).resolve())) if path else _load_default()


@functools.cache
def _load_default() -> Registry:
    return _load(str(DEFAULT_REGISTRY_PATH.resolve()))
