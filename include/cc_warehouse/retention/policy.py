"""Retention periods from the source registry (per entity, with the registry-wide defaults)."""

from __future__ import annotations

from pathlib import Path

from cc_warehouse.sources.registry import Registry, load_registry

RegistryArg = Registry | str | Path | None


def resolve_registry(registry: RegistryArg = None) -> Registry:
    """``registry`` itself if already loaded, else the registry at that path (default: the project's)."""
    return registry if isinstance(registry, Registry) else load_registry(registry)


def landing_retention_days(registry: Registry, entity: str) -> int:
    """Days a landing partition of ``entity`` (``source.name``) is kept; registry default if not set."""
    spec = registry.entities.get(entity)
    days = spec.retention_days if spec is not None else None
    return int(days if days is not None else registry.retention_days["landing"])


def quarantine_retention_days(registry: Registry) -> int:
    """Days a quarantined row is kept."""
    return int(registry.retention_days["quarantine"])
