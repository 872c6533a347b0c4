"""Switchable misbehaviour: 429 with Retry-After, 500/503, Douyin "system busy", slow pages, and the faults of
a real network: a connection reset mid-body (``reset``), a complete response whose JSON was cut
(``truncate``), a body trickled out over ``trickle_seconds`` (``trickle``), and page drift: ``drift`` windows
in which one record is updated (moves to the end of the window's order) right after page 0 is served, so
offset paging sees one record twice and skips another. ``retry_after`` is sent verbatim, so -10, nan or 3600
are possible; several values (``retry_after=nan|3600|-10``, or a list) make each 429 pick one (seeded)."""

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
    rate_reset: float = 0.0  # half the body, then the connection closes
    rate_truncate: float = 0.0  # Content-Length matches a body cut half way
    rate_trickle: float = 0.0  # the body dribbles out over trickle_seconds
    slow_seconds: float = 2.0
    trickle_seconds: float = 5.0
    retry_after: float | tuple[float, ...] = 1
    drift: int = 0  # windows that drift once while being paged
    seed: int = 1

    def __post_init__(self) -> None:
        # "nan", "-10", "3600" from the admin endpoint or CLI; "nan|3600|-10" or a list: one per 429, at random
        values = self.retry_after.split("|") if isinstance(self.retry_after, str) else self.retry_after
        if isinstance(values, (list, tuple)):
            parsed = tuple(float(v) for v in values)
            self.retry_after = parsed[0] if len(parsed) == 1 else parsed
        else:
            self.retry_after = float(values)

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
        aliases = {
            "429": "rate_429",
            "500": "rate_500",
            "slow": "rate_slow",
            "busy": "rate_busy",
            "reset": "rate_reset",
            "truncate": "rate_truncate",
            "trickle": "rate_trickle",
        }
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, _, value = part.partition("=")
            name = aliases.get(key, key)
            values[name] = int(value) if name in ("drift", "seed") else value if name == "retry_after" else float(value)
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
            self.drifted: dict[tuple, object] = {}

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

    def retry_after_header(self) -> str:
        """The ``Retry-After`` value of this 429 (one of several, at random, when configured so)."""
        with self._lock:
            value = self.config.retry_after
            if isinstance(value, tuple):
                value = self._rng.choice(value)
            return format(value, "g")

    def roll_body(self) -> str | None:
        """How a successful body is delivered: ``reset``, ``truncate``, ``trickle`` or None (intact)."""
        with self._lock:
            c, r = self.config, self._rng
            for name, rate in (("reset", c.rate_reset), ("truncate", c.rate_truncate), ("trickle", c.rate_trickle)):
                if rate and r.random() < rate:
                    return name
            return None

    def take_drift(self) -> bool:
        """True (once per unit of ``drift``) when the window being paged should drift now."""
        with self._lock:
            if self.config.drift > 0:
                self.config.drift -= 1
                return True
            return False
