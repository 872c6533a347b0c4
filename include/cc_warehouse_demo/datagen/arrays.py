"""Vectorised builders for identifier, number and text columns (numpy in, pyarrow out)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_ASCII_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_ASCII_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
LOCAL_OFFSET_S = 8 * 3600


def ascii_matrix_to_strings(codes: np.ndarray) -> pa.Array:
    """Turn an (n, k) matrix of ASCII codes into a string array of n fixed-width values."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    n, k = codes.shape
    offsets = np.arange(0, (n + 1) * k, k, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(codes.tobytes())).cast(pa.string())


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits (as integers 0-9) of non-negative int64 values, shape (n, width)."""
    values = np.asarray(values, dtype=np.int64).copy()
    out = np.empty((values.size, width), dtype=np.int64)
    for col in range(width - 1, -1, -1):
        out[:, col] = values % 10
        values //= 10
    return out


def fixed_digits(values: np.ndarray, width: int) -> pa.Array:
    """Zero-padded decimal strings of non-negative integers."""
    return ascii_matrix_to_strings(_ASCII_DIGITS[digit_matrix(values, width)])


def random_digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """(n, width) matrix of random digits 0-9."""
    return rng.integers(0, 10, size=(n, width), dtype=np.int64)


def random_hex(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """Random lower-case hex strings of the given width."""
    return ascii_matrix_to_strings(_ASCII_HEX[rng.integers(0, 16, size=(n, width))])


def unique_numbers(rng: np.random.Generator, n: int, modulus: int) -> np.ndarray:
    """n distinct pseudo-random integers in [0, modulus) via an affine bijection (modulus = 10^k)."""
    a = int(rng.integers(10**8, 2**31 - 1))
    while a % 2 == 0 or a % 5 == 0:
        a += 1
    b = int(rng.integers(0, modulus))
    idx = np.arange(n, dtype=np.int64)
    return (idx * a + b) % modulus


def prefixed_numbers(rng: np.random.Generator, n: int, prefix: str, width: int) -> pa.Array:
    """Distinct digit strings `prefix` + `width` digits."""
    body = fixed_digits(unique_numbers(rng, n, 10**width), width)
    return concat(pa.array([prefix] * n) if n else pa.array([], pa.string()), body)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise string concatenation (scalars are broadcast)."""
    return pc.binary_join_element_wise(*parts, "")


def pick(values: list[str], idx: np.ndarray) -> pa.Array:
    """Gather strings from a small vocabulary by index."""
    return pa.array(values, pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """Replace values by null where mask is true."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.scalar(None, values.type), values)


def resident_ids(area_codes: np.ndarray, birth_yyyymmdd: np.ndarray, seq: np.ndarray) -> pa.Array:
    """Valid 18-digit resident ID numbers (ISO 7064 MOD 11-2 check digit)."""
    body = np.concatenate([digit_matrix(area_codes, 6), digit_matrix(birth_yyyymmdd, 8), digit_matrix(seq, 3)], axis=1)
    check = _ID_CHECK[(body * _ID_WEIGHTS).sum(axis=1) % 11]
    codes = np.concatenate([_ASCII_DIGITS[body], check[:, None]], axis=1)
    return ascii_matrix_to_strings(codes)


def luhn_numbers(rng: np.random.Generator, n: int, prefix: str, length: int) -> pa.Array:
    """Luhn-valid card numbers of the given length starting with prefix."""
    head = np.tile(np.array([int(c) for c in prefix], dtype=np.int64), (n, 1))
    body = np.concatenate([head, random_digits(rng, n, length - 1 - len(prefix))], axis=1)
    # positions counted from the right of the full number: the check digit is position 0
    doubled = body.copy()
    from_right = np.arange(body.shape[1])[::-1] + 1
    sel = from_right % 2 == 1
    doubled[:, sel] = doubled[:, sel] * 2
    doubled[doubled > 9] -= 9
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return ascii_matrix_to_strings(_ASCII_DIGITS[np.concatenate([body, check[:, None]], axis=1)])


def _civil(unix_s: np.ndarray) -> dict[str, tuple[np.ndarray, int]]:
    """Local calendar fields of Unix seconds (days-from-civil inverse, all integer numpy ops)."""
    local = np.asarray(unix_s, dtype=np.int64) + LOCAL_OFFSET_S
    days, sod = np.divmod(local, 86400)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    day = doy - (153 * mp + 2) // 5 + 1
    return {
        "Y": (year, 4),
        "m": (month, 2),
        "d": (day, 2),
        "H": (sod // 3600, 2),
        "M": (sod % 3600 // 60, 2),
        "S": (sod % 60, 2),
    }


def local_strings(unix_s: np.ndarray, fmt: str) -> pa.Array:
    """Format Unix seconds as Asia/Shanghai local time (strftime subset: %Y %m %d %H %M %S)."""
    fields = _civil(unix_s)
    n = fields["Y"][0].size
    columns, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            values, width = fields[fmt[i + 1]]
            columns.append(_ASCII_DIGITS[digit_matrix(values, width)])
            i += 2
        else:
            columns.append(np.full((n, 1), ord(fmt[i]), dtype=np.uint8))
            i += 1
    return ascii_matrix_to_strings(np.concatenate(columns, axis=1))


def yuan_strings(fen: np.ndarray) -> pa.Array:
    """Fen integers as plain yuan decimal strings ("123.40")."""
    fen = np.asarray(fen, dtype=np.int64)
    sign = pa.array(np.where(fen < 0, "-", ""))
    return concat(sign, pc.cast(pa.array(np.abs(fen) // 100), pa.string()), ".", fixed_digits(np.abs(fen) % 100, 2))
