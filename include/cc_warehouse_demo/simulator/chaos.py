"""Switchable misbehaviour: 429 with Retry-After, 500/503, Douyin "system busy", slow pages."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class ChaosConfig:
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_slow: float = 0.0
    rate_busy: float = 0.0  # Douyin HTTP 200 + code 40004
    slow_seconds: float = 2.0
    retry_after: int = 1
    seed: int = 1

    @classmethod
    def parse(cls, spec: str | dict[str, Any] | None) -> ChaosConfig:
        """From `429=0.05,500=0.02,slow=0.01,busy=0.01` or a dict of field names."""
        if not spec:
            return cls()
        if isinstance(spec, dict):
            known = {f.name for f in fields(cls)}
            unknown = set(spec) - known
            if unknown:
                raise ValueError(f"unknown chaos settings {sorted(unknown)}")
            return cls(**spec)
        aliases = {"429": "rate_429", "500": "rate_500", "slow": "rate_slow", "busy": "rate_busy"}
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, _, value = part.partition("=")
            values[aliases.get(key, key)] = float(value)
        return cls.parse(values)


class Chaos:
    """Thread-safe dice for each data request; reconfigurable at run time."""

    def __init__(self, config: ChaosConfig) -> None:
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: ChaosConfig) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self.config)

    def roll(self) -> tuple[str | None, float]:
        """The misbehaviour for this request (`429`, `500`, `503`, `busy` or None) and a delay in seconds."""
        with self._lock:
            c, r = self.config, self._rng
            delay = c.slow_seconds if r.random() < c.rate_slow else 0.0
            if r.random() < c.rate_429:
                return "429", delay
            if r.random() < c.rate_500:
                return ("500" if r.random() < 0.5 else "503"), delay
            if r.random() < c.rate_busy:
                return "busy", delay
            return None, delay
