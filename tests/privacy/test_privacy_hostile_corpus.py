"""Every hostile-corpus string loses its contact details in redaction; benign strings keep their facts."""

from __future__ import annotations

import pytest
from cc_warehouse.privacy.redact import redact

from .hostile import load_corpus, survives

CASES = load_corpus()
HOSTILE = [case for case in CASES if case.kind != "benign"]
BENIGN = [case for case in CASES if case.kind == "benign"]


def test_corpus_is_big_and_covers_every_class():
    assert len(HOSTILE) >= 200
    kinds = {case.kind for case in HOSTILE}
    assert {
        "phone_sep",
        "phone_invisible",
        "phone_fullwidth",
        "phone_circled",
        "phone_cn",
        "id_number",
        "email",
        "wechat",
        "qq",
        "name",
        "address",
        "mixed",
    } <= kinds


def test_the_check_sees_clear_values():
    """The survival check itself can fail: every labelled value is found in its own unredacted text."""
    for case in HOSTILE:
        for value in case.values:
            assert survives(value, case.text), (case.line, value)


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: f"L{c.line}-{c.kind}")
def test_hostile_values_do_not_survive_redaction(case):
    redacted, counts = redact(case.text)
    assert counts, f"line {case.line}: nothing redacted"
    left = [value for value in case.values if survives(value, redacted)]
    assert not left, f"line {case.line}: survived in {redacted!r}"


@pytest.mark.parametrize("case", BENIGN, ids=lambda c: f"L{c.line}")
def test_benign_text_keeps_its_facts(case):
    redacted, _ = redact(case.text)
    assert all(survives(value, redacted) for value in case.values), redacted
