"""Name detection tags only the jieba blocks that hold a surname character, with the same findings.

The reference is the straightforward algorithm (jieba over the whole text), written here on its own; the
texts are the hostile corpus, the generator's free-text vocabularies and hand-made edge cases (names at
block edges, beside digits, English and punctuation, compound surnames, cue words).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cc_warehouse.privacy import detectors
from cc_warehouse.privacy.detectors import (
    _COMPOUND_SURNAMES,
    _NAME_CUE,
    _NAME_TAGS,
    _NOT_NAMES,
    _SURNAMES,
    Finding,
    _name_findings,
    _posseg,
)
from cc_warehouse_demo.datagen import freetext

CORPUS = Path(__file__).with_name("hostile_corpus.txt")


def whole_text_names(text: str) -> list[Finding]:
    """The reference: tag the whole text at once, then the same rules."""
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        return []
    found, position = [], 0
    pairs = list(_posseg().cut(text))
    for index, (word, tag) in enumerate(pairs):
        start, end = position, position + len(word)
        position = end
        following = pairs[index + 1] if index + 1 < len(pairs) else None
        if tag in _NAME_TAGS and 2 <= len(word) <= 4 and word[0] in _SURNAMES and word not in _NOT_NAMES:
            found.append(Finding("name", start, end))
        elif (
            following is not None
            and 1 <= len(following.word) <= 2
            and (word in _COMPOUND_SURNAMES or (word in _SURNAMES and following.flag in _NAME_TAGS))
        ):
            found.append(Finding("name", start, end + len(following.word)))
    starts = {f.start for f in found}
    found.extend(Finding("name", m.start(1), m.end(1)) for m in _NAME_CUE.finditer(text) if m.start(1) not in starts)
    return found


def _texts() -> list[str]:
    texts = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            texts.append(line.split("|", 2)[-1].strip().encode("utf-8").decode("unicode_escape", "ignore"))
    for words in (
        freetext.BUYER_WORDS,
        freetext.REFUND_REASONS,
        freetext.CUSTOMER_REMARKS,
        freetext.COMMENTS,
        freetext.TITLES,
    ):
        texts.extend(w for w in words if w)
    texts += [
        "收件人张伟，电话见备注",
        "王小明2号楼李娜abc刘德华",
        "请交给欧阳娜娜,谢谢司马光",
        "张三 李四 王五",
        "东方不败和诸葛亮去了上海",
        "寄给：陈静。顺丰到付",
        "老公王强说好用",
        "hello王芳world",
        "好用好用！！！求链接",
        "宝宝很喜欢，已回购",
    ]
    return texts


@pytest.mark.parametrize("text", _texts())
def test_same_findings_as_tagging_the_whole_text(text):
    assert _name_findings(text) == whole_text_names(text)


def test_blocks_without_a_surname_character_never_reach_the_tagger(monkeypatch):
    calls: list[str] = []
    tagger = _posseg()
    original = tagger.cut

    def spy(text, *args, **kwargs):
        calls.append(text)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(tagger, "cut", spy)
    detectors._block_names.cache_clear()
    text = "好用好用！！！求链接，被种草了"  # no surname character anywhere
    assert not set(text) & (set(_SURNAMES) | {s[0] for s in _COMPOUND_SURNAMES})
    assert _name_findings(text) == []
    assert calls == []
    _name_findings("姐妹冲，收件人张伟")
    assert calls == ["收件人张伟"]  # only the block that holds a surname character
