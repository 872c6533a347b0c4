"""The PII registry (``sources/registry.yml``) and the treatment of records against it.

``load_registry()`` parses and validates the YAML once (cached). ``apply_treatments`` walks a record
against the entity's field tree with a plan compiled once per entity, so no YAML is touched per record.
Any field not in the registry stops the record with ``UnclassifiedFieldError`` (schema drift).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from cc_warehouse.privacy.idcard import age_band_from_date, derive_id_facts
from cc_warehouse.privacy.masks import MASKERS, is_masked
from cc_warehouse.privacy.redact import redact
from cc_warehouse.privacy.tokens import TOKEN_PATTERN, TokenKey, tokenise

DEFAULT_REGISTRY_PATH = Path(__file__).parent.parent / "sources" / "registry.yml"
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
        self._identifier_columns = _identifier_columns(entities, identifier_columns or {})
        self.version = version
        self.token_pattern = token_pattern
        self.retention_days = retention_days
        self.entities = entities
        self._plans: dict[str, _Plan] = {}

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

    def plan(self, entity: str) -> _Plan:
        """The compiled treatment plan of an entity (built once)."""
        plan = self._plans.get(entity)
        if plan is None:
            spec = self.entity(entity)
            plan = self._plans[entity] = _compile(spec.name, spec.fields, "")
        return plan


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
            FieldRow(
                entity, path, spec.level, spec.sensitive, spec.treatment, spec.kind, spec.output, spec.purpose
            )
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


# --- compiled treatment plans --------------------------------------------------------------------
@dataclass
class _Context:
    entity: str
    key: TokenKey
    as_of: date
    counter: Counter = field(default_factory=Counter)


_Step = Callable[[Any, dict, _Context], None]


_CONTAINERS = (dict, list)


@dataclass(frozen=True)
class _Plan:
    """Compiled treatment of one object level: the listed names and a step per non-plain field."""

    names: frozenset[str]
    steps: tuple[tuple[str, _Step], ...]
    plain: frozenset[str]


def _walk(plan: _Plan, record: dict, prefix: str, ctx: _Context) -> dict:
    if not plan.names.issuperset(record):
        unknown = next(name for name in record if name not in plan.names)
        raise UnclassifiedFieldError(ctx.entity, prefix + str(unknown))
    for name, value in record.items():
        if type(value) in _CONTAINERS and name in plan.plain and _holds_object(value):
            raise UnclassifiedFieldError(ctx.entity, prefix + name, "nested object is not classified")
    out = dict(record)  # plain kept fields are copied as they are
    for name, step in plan.steps:
        if name in out:
            step(out.pop(name), out, ctx)
    return out


def _holds_object(value: dict | list) -> bool:
    return type(value) is dict or any(type(item) is dict for item in value)


def _mask_kind(spec: FieldSpec) -> str:
    """Mask kind from the field's kind or name: phone (tel/phone/mobile), name, id, else name."""
    hint = (spec.kind or spec.name).lower()
    if any(word in hint for word in ("tel", "phone", "mobile")):
        return "phone"
    if "name" in hint or "receiver" in hint:
        return "name"
    return "id" if "id" in hint else "name"


def _compile(entity: str, fields: dict[str, FieldSpec], prefix: str) -> _Plan:
    compiled = {name: _compile_step(entity, spec, prefix + name) for name, spec in fields.items()}
    steps = tuple((name, step) for name, step in compiled.items() if step is not None)
    plain = frozenset(name for name, step in compiled.items() if step is None)
    return _Plan(names=frozenset(compiled), steps=steps, plain=plain)


def _compile_step(entity: str, spec: FieldSpec, path: str) -> _Step | None:
    compilers = {
        "keep": _keep_step,
        "drop": _drop_step,
        "token": _token_step,
        "mask": _mask_step,
        "coarsen": _coarsen_step,
        "redact": _redact_step,
    }
    return compilers[spec.treatment](entity, spec, path)


def _keep_step(entity: str, spec: FieldSpec, path: str) -> _Step | None:
    name = spec.name
    if spec.fields is not None:
        sub = _compile(entity, spec.fields, path + ".")

        def keep_object(value: Any, out: dict, ctx: _Context) -> None:
            if value is not None and type(value) is not dict:
                raise UnclassifiedFieldError(ctx.entity, path, "expected an object")
            out[name] = None if value is None else _walk(sub, value, path + ".", ctx)

        return keep_object
    if spec.items is not None:
        sub = _compile(entity, spec.items, path + "[].")

        def keep_items(value: Any, out: dict, ctx: _Context) -> None:
            if value is None:
                out[name] = None
                return
            if type(value) is not list or any(type(item) is not dict for item in value):
                raise UnclassifiedFieldError(ctx.entity, path, "expected a list of objects")
            out[name] = [_walk(sub, item, path + "[].", ctx) for item in value]

        return keep_items
    return None


def _drop_step(entity: str, spec: FieldSpec, path: str) -> _Step:
    def drop(value: Any, out: dict, ctx: _Context) -> None:
        ctx.counter["drop"] += 1

    return drop


def _token_step(entity: str, spec: FieldSpec, path: str) -> _Step:
    kind, output, prefix = spec.kind, spec.output, spec.facts_prefix
    derive, decrypt = spec.derive is not None, spec.decrypt

    def token(value: Any, out: dict, ctx: _Context) -> None:
        if type(value) is list:
            tokens = [tokenise(item, kind, ctx.key) for item in value]
            ctx.counter["token"] += sum(item is not None for item in tokens)
            out[output] = tokens
            return
        if type(value) is dict:
            raise UnclassifiedFieldError(ctx.entity, path, "expected a scalar or a list")
        if decrypt and type(value) is str and value[:1] in ("#", "$"):
            ctx.counter[f"{path}:undecrypted"] += 1
            out[output] = None
        else:
            made = tokenise(value, kind, ctx.key)
            out[output] = made
            if made is not None:
                ctx.counter["token"] += 1
        if derive:
            facts = derive_id_facts(None if value is None else str(value), ctx.as_of)
            for fact in ID_FACTS:
                out[f"{prefix}_{fact}"] = facts[fact]

    return token


def _mask_step(entity: str, spec: FieldSpec, path: str) -> _Step:
    name, mask_kind = spec.name, _mask_kind(spec)
    masker = MASKERS[mask_kind]

    def mask(value: Any, out: dict, ctx: _Context) -> None:
        if value is None or value == "":
            out[name] = value
            return
        if type(value) in (dict, list):
            raise UnclassifiedFieldError(ctx.entity, path, "expected a scalar")
        text = value if type(value) is str else str(value)
        if is_masked(text, mask_kind):
            out[name] = text
        else:
            out[name] = masker(text)
            ctx.counter["mask"] += 1

    return mask


def _coarsen_step(entity: str, spec: FieldSpec, path: str) -> _Step:
    output = spec.output

    def coarsen(value: Any, out: dict, ctx: _Context) -> None:
        if value is None or value == "":
            out[output] = None
            return
        out[output] = age_band_from_date(value, ctx.as_of)
        ctx.counter["coarsen"] += 1

    return coarsen


def _redact_step(entity: str, spec: FieldSpec, path: str) -> _Step:
    name = spec.name

    def redact_one(value: Any, ctx: _Context) -> Any:
        if value is None or type(value) is bool:
            return value
        if type(value) in (dict, list):
            raise UnclassifiedFieldError(ctx.entity, path, "expected text")
        text, counts = redact(value if type(value) is str else str(value))
        for kind, count in counts.items():
            ctx.counter[f"{path}:{kind}"] += count
        return text if counts or type(value) is str else value

    def redact_field(value: Any, out: dict, ctx: _Context) -> None:
        if type(value) is list:
            out[name] = [redact_one(item, ctx) for item in value]
        else:
            out[name] = redact_one(value, ctx)

    return redact_field


def apply_treatments(
    entity: str, record: dict, key: TokenKey, as_of: date, registry: Registry | None = None
) -> tuple[dict, Counter]:
    """A treated copy of ``record`` (tokens, drops, masks, coarsening, redaction) and a Counter of
    redactions by ``<field path>:<kind>`` and of other treatments by name (token, drop, mask, coarsen).

    Raises ``UnclassifiedFieldError`` for a field the registry does not list. Fields with
    ``decrypt: true`` must arrive decrypted; leftover ciphertext (``#…``/``$…``) gives a None token and a
    ``<path>:undecrypted`` count instead of a useless token."""
    if type(record) is not dict:
        raise TypeError(f"{entity}: a record must be a JSON object")
    reg = registry or load_registry()
    ctx = _Context(entity=reg.entity(entity).name, key=key, as_of=as_of)
    return _walk(reg.plan(entity), record, "", ctx), ctx.counter
