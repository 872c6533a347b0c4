"""Raw response bodies for the fake platform: what a broken network or proxy delivers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RawBody:
    """A body sent as-is: ``declared`` overrides Content-Length (a larger value plus a close = a reset
    mid-body); ``trickle`` seconds between single bytes (a server that sends slowly for ever)."""

    data: bytes
    declared: int | None = None
    trickle: float = 0.0
