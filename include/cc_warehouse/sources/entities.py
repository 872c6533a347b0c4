"""Read entity specifications (API block, key, fields) from the source registry."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REGISTRY_PATH = Path(__file__).with_name("registry.yml")


@lru_cache(maxsize=1)
def _entities() -> dict[str, dict[str, Any]]:
    with REGISTRY_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["entities"]


def entity_spec(entity: str) -> dict[str, Any]:
    """The registry block of ``entity`` (e.g. ``douyin.orders``); KeyError if unknown."""
    try:
        return _entities()[entity]
    except KeyError:
        raise KeyError(f"entity {entity!r} is not in the source registry") from None


def key_fields(entity: str) -> list[str]:
    """The key field paths of ``entity`` as written in the registry (composite keys give several)."""
    key = entity_spec(entity)["key"]
    return [key] if isinstance(key, str) else list(key)


def stored_key_path(entity: str, key_field: str) -> str:
    """Where a key field lives in the landed (tokenised) record: a token field is read under its output."""
    *parents, leaf = key_field.split(".")
    fields = entity_spec(entity)["fields"]
    for part in parents:
        fields = fields[part]["fields"]
    if fields[leaf].get("treatment") == "token":
        leaf = fields[leaf]["output"]
    return ".".join([*parents, leaf])
