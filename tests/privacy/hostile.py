"""The hostile corpus (``hostile_corpus.txt``) and an independent check that a value did not survive.

The check does not use the detectors under test: it reads digits the simple way (NFKC, Chinese numerals
as digits, every other character dropped) and looks for any 7-digit window of a labelled number; other
values are looked for as plain substrings once spaces and invisible characters are gone.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

CORPUS_PATH = Path(__file__).with_name("hostile_corpus.txt")
_CN_DIGITS = str.maketrans("零〇洞一幺壹二两贰三叁參四肆五伍六陆七柒八捌九玖", "000111222333445566778899")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
WINDOW = 7


class Case(NamedTuple):
    line: int
    kind: str
    values: tuple[str, ...]
    text: str


def load_corpus() -> list[Case]:
    cases = []
    for number, line in enumerate(CORPUS_PATH.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, values, text = (part.strip() for part in line.split(" | ", 2))
        text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text).replace("\\\\", "\\")
        cases.append(Case(number, kind, tuple(v.strip() for v in values.split(",")), text))
    return cases


def _visible(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf").lower()


def digit_projection(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).translate(_CN_DIGITS) if c in "0123456789")


def is_number(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+[Xx]?", value)) and len(value) >= 5


def survives(value: str, text: str) -> bool:
    """True when ``value`` (or, for a long number, any 7 consecutive digits of it) is still in ``text``."""
    if is_number(value):
        digits = digit_projection(text)
        core = value.rstrip("Xx")
        if len(core) < WINDOW:
            return core in digits
        return any(core[i : i + WINDOW] in digits for i in range(len(core) - WINDOW + 1))
    return _visible(value) in _visible(text)


# --- artefact scan: is any labelled value anywhere in a file or a table? ----------------------------------
# The same simple reading as above, for long texts (whole files, whole tables): NFKC, Chinese numerals as
# digits, invisible characters dropped, JSON ``\uXXXX`` escapes and HTML entities decoded. A number is looked
# for whole (up to 3 non-digit characters between any two of its digits: ``138 0013 8000``, ``1-3-8…``),
# not as 7-digit windows: in megabytes of digits some window of some value would match by chance.
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_NUMBER_CHAIN = re.compile(r"[0-9](?:[^0-9]{0,3}[0-9])*")
_NOT_DIGIT = re.compile(r"[^0-9]")
_INVISIBLE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf") + "]"
)


def _plain(text: str) -> str:
    import html

    text = html.unescape(_JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text))
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).translate(_CN_DIGITS))


class LeakMatcher:
    """Finds which of ``values`` occur in a text, the independent way described above. Numbers come back
    without a trailing ID ``X``, other values as compared (lower case, no spaces)."""

    def __init__(self, values: set[str]):
        numbers = {v.rstrip("Xx") for v in values if is_number(v)}
        self.long = sorted(n for n in numbers if len(n) >= 11)  # may follow a 0 / 86 prefix
        self.short = {  # short numbers (QQ) must stand alone
            n: re.compile(r"(?<![0-9])" + r"[^0-9]{0,3}".join(n) + r"(?![0-9])") for n in numbers if len(n) < 11
        }
        self.words = sorted({_visible(v) for v in values if not is_number(v)})

    def found(self, text: str) -> set[str]:
        plain = _plain(text)
        hits: set[str] = set()
        for chain in _NUMBER_CHAIN.findall(plain):
            digits = _NOT_DIGIT.sub("", chain)
            if len(digits) < 5:
                continue
            hits.update(n for n in self.long if n in digits)
            hits.update(n for n, pattern in self.short.items() if n in digits and pattern.search(chain))
        visible = "".join(plain.split()).lower()
        hits.update(word for word in self.words if word in visible)
        return hits
