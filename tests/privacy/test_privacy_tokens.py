"""Keyed tokens: determinism, key dependence, versions, cross-source joins, and why plain hashes fail."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from cc_warehouse.privacy import tokens
from cc_warehouse.privacy.tokens import TOKEN_PATTERN, MissingKeyError, TokenKey, load_key, tokenise
from cc_warehouse.sources.registry import load_registry


def test_token_shape_and_determinism(key):
    token = tokenise("13812345678", "phone", key)
    assert re.fullmatch(TOKEN_PATTERN, token)
    assert token == tokenise("13812345678", "phone", key)


def test_token_pattern_matches_registry():
    assert load_registry().token_pattern == TOKEN_PATTERN


def test_tokens_depend_on_key_and_carry_version(key):
    other = TokenKey(version=1, secret=b"another-secret-at-least-32-bytes-long")
    rotated = TokenKey(version=2, secret=b"rotated-secret-at-least-32-bytes-long")
    assert tokenise("13812345678", "phone", key) != tokenise("13812345678", "phone", other)
    assert tokenise("13812345678", "phone", rotated).startswith("tk2_")
    assert tokenise("13812345678", "phone", key).startswith("tk1_")


@pytest.mark.parametrize(
    "disguise",
    [
        "+86 138 1234 5678",
        "0086-138-1234-5678",
        "8613812345678",
        "138-1234-5678",
        "(138) 1234 5678",
        "１３８１２３４５６７８",
    ],
)
def test_same_phone_in_any_disguise_gives_same_token(key, disguise):
    assert tokenise(disguise, "phone", key) == tokenise("13812345678", "phone", key)


def test_phone_aliases_share_namespace_and_kinds_do_not(key):
    assert tokenise("13812345678", "mobile", key) == tokenise("13812345678", "phone", key)
    assert tokenise("13812345678", "user_id", key) != tokenise("13812345678", "phone", key)


def test_normalisation_by_kind(key):
    assert tokenise("11010519491231002x", "id_number", key) == tokenise("11010519491231002X", "id_number", key)
    assert tokenise(" Wang@QQ.com ", "email", key) == tokenise("wang@qq.com", "email", key)
    assert tokenise("ｕｓｅｒ1 ", "user_id", key) == tokenise("user1", "user_id", key)
    assert tokenise(13812345678, "phone", key) == tokenise("13812345678", "phone", key)


@pytest.mark.parametrize("empty", [None, "", "   ", " - "])
def test_empty_values_give_none(key, empty):
    assert tokenise(empty, "phone", key) is None


def test_key_repr_hides_secret(key):
    assert "unit-test-secret" not in repr(key)


def test_load_key_from_env(monkeypatch):
    monkeypatch.setenv("CCWH_HMAC_KEY", "env-secret-of-at-least-thirty-two-bytes")
    monkeypatch.setenv("CCWH_HMAC_KEY_VERSION", "3")
    assert load_key() == TokenKey(version=3, secret=b"env-secret-of-at-least-thirty-two-bytes")
    monkeypatch.delenv("CCWH_HMAC_KEY_VERSION")
    assert load_key().version == 1


def test_load_key_from_airflow_variable(monkeypatch):
    monkeypatch.delenv("CCWH_HMAC_KEY", raising=False)
    monkeypatch.delenv("CCWH_HMAC_KEY_VERSION", raising=False)
    monkeypatch.setenv("AIRFLOW_VAR_CCWH_HMAC_SECRET", "variable-secret-of-at-least-thirty-two-bytes")
    monkeypatch.setenv("AIRFLOW_VAR_CCWH_HMAC_KEY_VERSION", "2")
    assert load_key() == TokenKey(version=2, secret=b"variable-secret-of-at-least-thirty-two-bytes")


def test_missing_key_raises(monkeypatch):
    for name in ("CCWH_HMAC_KEY", "CCWH_HMAC_KEY_VERSION", "AIRFLOW_VAR_CCWH_HMAC_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tokens, "_airflow_variable", lambda name: None)
    with pytest.raises(MissingKeyError, match="CCWH_HMAC_KEY"):
        load_key()


def test_bad_key_version_rejected(monkeypatch):
    monkeypatch.setenv("CCWH_HMAC_KEY", "env-secret-of-at-least-thirty-two-bytes")
    monkeypatch.setenv("CCWH_HMAC_KEY_VERSION", "v2")
    with pytest.raises(ValueError, match="positive integer"):
        load_key()


TARGETS = ["13800012345", "13800034567", "13800089012", "13800123456", "13800199999"]
KEYED_SLICE = 200_000  # candidates an HMAC-guessing attacker tries (HMAC is ~5x slower than SHA-256 here)


def test_enumeration_recovers_plain_sha256_but_not_hmac_tokens(key):
    """One million candidate mobiles (138 0000 0000 - 138 0099 9999) hashed by an attacker without the key.

    A plain SHA-256 column is fully reversed; HMAC tokens are not, neither by hashing the candidates with the
    public namespace and no key (all 1M) nor with a guessed key. The control with the real key does find
    them, which proves the enumeration and the documented construction are right: the key is the secret.
    The two keyed passes run over the first 200k candidates (which hold all targets) to keep the test
    within a few seconds on 2 cores; the result does not depend on the count.
    """
    candidates = [b"138%08d" % n for n in range(1_000_000)]
    targets = {p.encode() for p in TARGETS}

    plain_column = {hashlib.sha256(t).hexdigest() for t in targets}
    assert {c for c in candidates if hashlib.sha256(c).hexdigest() in plain_column} == targets

    token_column = {tokenise(p, "phone", key)[len("tk1_") :] for p in TARGETS}
    keyless = {c for c in candidates if hashlib.sha256(b"v1:phone:" + c).hexdigest()[:32] in token_column}
    assert keyless == set()

    def with_key(secret: bytes) -> set[bytes]:
        found = set()
        for candidate in candidates[:KEYED_SLICE]:
            if hmac.digest(secret, b"v1:phone:" + candidate, "sha256").hex()[:32] in token_column:
                found.add(candidate)
        return found

    assert with_key(b"guessed-key-of-thirty-two-bytes-or-more") == set()
    assert with_key(key.secret) == targets


@pytest.mark.parametrize("secret", [b"k" * 32, b"k" * 64, b"a-very-long-key-" * 8])
def test_token_is_documented_hmac_construction(secret):
    key = TokenKey(version=7, secret=secret)
    expected = hmac.new(secret, b"v7:phone:13812345678", hashlib.sha256).hexdigest()[:32]
    assert tokenise("+86 138 1234 5678", "phone", key) == f"tk7_{expected}"


@pytest.mark.parametrize("secret", [b"changeme", b"k" * 31, b""])
def test_short_keys_are_refused(secret):
    with pytest.raises(ValueError, match="32|non-empty"):
        TokenKey(version=1, secret=secret)


def test_short_key_from_env_is_refused_with_a_clear_error(monkeypatch):
    monkeypatch.setenv("CCWH_HMAC_KEY", "changeme")
    with pytest.raises(tokens.WeakKeyError, match="at least 32"):
        load_key()


def test_key_version_is_bound_into_the_digest():
    """Same secret, different version: the digests differ too, not just the prefix (versions never collide)."""
    secret = b"one-secret-reused-across-two-versions!"
    v1 = tokenise("13812345678", "phone", TokenKey(1, secret))
    v2 = tokenise("13812345678", "phone", TokenKey(2, secret))
    assert v1[len("tk1_") :] != v2[len("tk2_") :]


def test_airflow_masks_the_key_in_task_logs(monkeypatch):
    """The Variable name carries a sensitive keyword, and load_key registers the key with Airflow's masker,
    so a task that logs it (even by accident) writes ***."""
    from airflow.sdk._shared.secrets_masker import redact
    from airflow.sdk._shared.secrets_masker.secrets_masker import should_hide_value_for_key

    assert should_hide_value_for_key(tokens.AIRFLOW_VARIABLE_KEY)
    secret = "task-log-secret-" + "0123456789abcdef" * 2
    monkeypatch.setenv("CCWH_HMAC_KEY", secret)
    load_key()
    assert secret not in str(redact(f"tokenising with {secret} now"))
