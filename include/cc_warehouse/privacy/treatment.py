"""The treatment of records against the registry: tokens, drops, masks, coarsening, redaction.

``apply_treatments`` walks a record against the entity's field tree with a plan compiled once per entity,
so no YAML is touched per record. Any field not in the registry stops the record with
``UnclassifiedFieldError`` (schema drift).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cc_warehouse.privacy.idcard import age_band_from_date, derive_id_facts
from cc_warehouse.privacy.masks import MASKERS, is_masked, mask_kind
from cc_warehouse.privacy.redact import redact
from cc_warehouse.privacy.tokens import TokenKey, tokenise
from cc_warehouse.sources.registry import ID_FACTS, FieldSpec, Registry, UnclassifiedFieldError, load_registry


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
    name, kind = spec.name, mask_kind(spec.kind or spec.name) or "name"
    masker = MASKERS[kind]

    def mask(value: Any, out: dict, ctx: _Context) -> None:
        if value is None or value == "":
            out[name] = value
            return
        if type(value) in (dict, list):
            raise UnclassifiedFieldError(ctx.entity, path, "expected a scalar")
        text = value if type(value) is str else str(value)
        if is_masked(text, kind):
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


@functools.lru_cache(maxsize=64)
def _plan(registry: Registry, entity: str) -> _Plan:
    """The compiled treatment plan of an entity (built once per parsed registry)."""
    spec = registry.entity(entity)
    return _compile(spec.name, spec.fields, "")


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
    return _walk(_plan(reg, entity), record, "", ctx), ctx.counter
