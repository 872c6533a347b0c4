"""dbt staging `meta` agrees with the PII registry: every field the registry tokenises, masks, coarsens or
redacts surfaces in staging as columns tagged with that treatment and the registry's data level."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from cc_warehouse.sources.registry import load_registry

STAGING = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging"
META_NAME = {"token": "token", "mask": "mask", "coarsen": "coarsen", "redact": "redacted"}
# Staging models that unnest a registry entity's nested lists.
DERIVED = {
    "stg_douyin__order_lines": "douyin.orders",
    "stg_red__order_lines": "red.orders",
    "stg_wecom__group_members": "wecom.group_chats",
}


def _staging_meta() -> dict[str, list[dict]]:
    """Registry entity → the meta of every staging column built from it."""
    by_entity: dict[str, list[dict]] = {}
    for path in STAGING.glob("*/_*__models.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            source, entity = model["name"].removeprefix("stg_").split("__", 1)
            name = DERIVED.get(model["name"], f"{source}.{entity}")
            by_entity.setdefault(name, []).extend(c["meta"] for c in model.get("columns", []) if c.get("meta"))
    return by_entity


REGISTRY = load_registry()
META = _staging_meta()


@pytest.mark.parametrize("entity", REGISTRY.entity_names)
def test_staging_tags_every_treated_field(entity):
    fields = [r for r in REGISTRY.fields_flat(entity) if r.treatment in META_NAME]
    needed = Counter(META_NAME[r.treatment] for r in fields)
    tagged = Counter(m.get("pii") for m in META.get(entity, []))
    missing = {t: n - tagged[t] for t, n in needed.items() if tagged[t] < n}
    assert not missing, f"{entity}: staging lacks columns tagged {missing}"
    levels = {r.level for r in fields}
    wrong = [m for m in META.get(entity, []) if m.get("level") not in levels | {"basic"}]
    assert not wrong, f"{entity}: staging meta levels {wrong} not in the registry's {levels}"
