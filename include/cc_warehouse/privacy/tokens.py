"""Keyed pseudonymous tokens: ``tk<version>_<32 hex>`` = HMAC-SHA256 of ``v<version>:<kind>:<value>``.

Plain hashes of phone numbers are reversible by enumerating the ~7×10⁹ mobile numbers; an HMAC is not
without the key. The key lives outside code and the warehouse (env or an Airflow Variable) and carries a
version so that tokens made under different keys are distinguishable (see docs/privacy.md, rotation).
The version is part of the HMAC input as well as the prefix, so two versions never give the same digest
even if a secret were reused. Keys shorter than 32 bytes are refused. Inside Airflow the key is registered
with the secrets masker, and the Variable's name contains ``secret`` so Airflow masks it on its own too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
from dataclasses import dataclass, field

from cc_warehouse.privacy.detectors import clean_phone, normalise_id_number

TOKEN_PATTERN = r"^tk[0-9]+_[0-9a-f]{32}$"
"""Every token matches this (must equal ``token_pattern`` in the source registry)."""

ENV_KEY = "CCWH_HMAC_KEY"
ENV_KEY_VERSION = "CCWH_HMAC_KEY_VERSION"
AIRFLOW_VARIABLE_KEY = "ccwh_hmac_secret"  # "secret" is one of Airflow's sensitive keywords: masked in logs/UI
AIRFLOW_VARIABLE_KEY_VERSION = "ccwh_hmac_key_version"
ENV_ROTATION = "CCWH_KEY_ROTATION_IN_PROGRESS"
"""Set to 1 while a documented key rotation re-tokenises (docs/privacy.md): only then may a token column
hold two key versions without failing the gate."""
MIN_SECRET_BYTES = 32

_PHONE_KINDS = frozenset({"phone", "mobile", "tel", "telephone"})


class MissingKeyError(RuntimeError):
    """No HMAC key configured: tokens cannot be made (there is deliberately no default key)."""


class WeakKeyError(ValueError):
    """The configured HMAC key is too short to resist guessing."""


def rotation_in_progress() -> bool:
    """True while a key rotation is declared in progress (env ``CCWH_KEY_ROTATION_IN_PROGRESS=1``)."""
    return os.environ.get(ENV_ROTATION, "").strip().lower() in ("1", "true", "yes")


_BLOCK = 64  # SHA-256 block size (RFC 2104)


@dataclass(frozen=True)
class TokenKey:
    """An HMAC key and its version; the secret never appears in ``repr``."""

    version: int
    secret: bytes = field(repr=False)
    _pads: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.version, int) or self.version < 1:
            raise ValueError("token key version must be a positive integer")
        if not isinstance(self.secret, bytes) or not self.secret:
            raise ValueError("token key secret must be non-empty bytes")
        if len(self.secret) < MIN_SECRET_BYTES:
            raise WeakKeyError(
                f"token key secret is {len(self.secret)} bytes; at least {MIN_SECRET_BYTES} are required "
                "(generate one: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        block = (hashlib.sha256(self.secret).digest() if len(self.secret) > _BLOCK else self.secret).ljust(
            _BLOCK, b"\0"
        )
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        object.__setattr__(self, "_pads", (inner, outer))

    def hmac_sha256(self, message: bytes) -> bytes:
        """HMAC-SHA256(secret, message), from precomputed pads (3x faster than ``hmac.digest`` per call)."""
        inner, outer = self._pads
        inner = inner.copy()
        inner.update(message)
        outer = outer.copy()
        outer.update(inner.digest())
        return outer.digest()


def _airflow_variable(name: str) -> str | None:
    """An Airflow Variable, or None when Airflow is not installed or not reachable."""
    try:
        from airflow.sdk import Variable

        return Variable.get(name, default=None)
    except Exception:  # any failure means "not configured here"
        return None


def load_key() -> TokenKey:
    """The current key from env ``CCWH_HMAC_KEY`` (+ ``CCWH_HMAC_KEY_VERSION``, default 1), else from the
    Airflow Variables ``ccwh_hmac_secret`` (+ ``ccwh_hmac_key_version``); raises ``MissingKeyError``."""
    secret = os.environ.get(ENV_KEY)
    version_text = os.environ.get(ENV_KEY_VERSION)
    if not secret:
        secret = _airflow_variable(AIRFLOW_VARIABLE_KEY)
        if not version_text and secret:
            version_text = _airflow_variable(AIRFLOW_VARIABLE_KEY_VERSION)
    if not secret:
        raise MissingKeyError(
            f"no HMAC key: set env {ENV_KEY} (and {ENV_KEY_VERSION}) or the Airflow Variable "
            f"{AIRFLOW_VARIABLE_KEY}; there is no default key"
        )
    _mask(secret)
    try:
        version = int(version_text) if version_text else 1
    except ValueError:
        raise ValueError(f"{ENV_KEY_VERSION} must be a positive integer") from None
    return TokenKey(version=version, secret=secret.encode("utf-8"))


class _KeyFilter(logging.Filter):
    """Replaces registered keys in every log record passing the handler it is attached to."""

    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


_KEY_FILTER = _KeyFilter()


def _mask(secret: str) -> None:
    """Keep the key out of logs: Airflow's secrets masker (a real worker's task and supervisor logs), and our
    own filter on the root logger's handlers — ``airflow dags test`` runs tasks in-process and masks nothing."""
    _KeyFilter.secrets.add(secret)
    for handler in logging.getLogger().handlers:
        if _KEY_FILTER not in handler.filters:
            handler.addFilter(_KEY_FILTER)
    try:
        from airflow.sdk.log import mask_secret
    except Exception:  # not running with Airflow: nothing to register
        return
    mask_secret(secret, AIRFLOW_VARIABLE_KEY)


def namespace(kind: str) -> str:
    """The HMAC namespace of a kind: all phone kinds share ``phone`` so tokens join across sources."""
    return "phone" if kind in _PHONE_KINDS else kind


def normalise(value: str, kind: str) -> str:
    """The canonical form of ``value`` for ``kind`` (what gets tokenised)."""
    if kind in _PHONE_KINDS:
        return clean_phone(value)
    if kind == "id_number":
        return normalise_id_number(value)
    text = unicodedata.normalize("NFKC", value).strip()
    return text.lower() if kind == "email" else text


def tokenise(value: object, kind: str, key: TokenKey) -> str | None:
    """``tk<version>_<32 hex>`` for ``value`` of ``kind``; None for None or an empty value."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalise(value if isinstance(value, str) else str(value), kind)
    if not text:
        return None
    digest = key.hmac_sha256(f"v{key.version}:{namespace(kind)}:{text}".encode())
    return f"tk{key.version}_{digest.hex()[:32]}"
