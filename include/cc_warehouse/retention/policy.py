"""Retention periods from the source registry (per entity, with the registry-wide defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

REGISTRY_PATH = Path(__file__).resolve().parents[1] / "sources" / "registry.yml"

RegistryArg = Mapping[str, Any] | str | Path | None


def registry_document(registry: RegistryArg = None) -> Mapping[str, Any]:
    """The parsed registry: ``registry`` itself if already parsed, else the YAML at that path (or default)."""
    if isinstance(registry, Mapping):
        return registry
    path = Path(registry) if registry is not None else REGISTRY_PATH
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def landing_retention_days(registry: Mapping[str, Any], entity: str) -> int:
    """Days a landing partition of ``entity`` (``source.name``) is kept; registry default if not set."""
    spec = registry.get("entities", {}).get(entity) or {}
    return int(spec.get("retention_days", registry["retention_days"]["landing"]))


def quarantine_retention_days(registry: Mapping[str, Any]) -> int:
    """Days a quarantined row is kept."""
    return int(registry["retention_days"]["quarantine"])
