"""PII detectors for free text: mainland mobile numbers, resident ID numbers, emails and bank cards.

``find_pii`` is the precise check: it NFKC-normalises the text (full-width ``１３８`` → ``138``), finds
candidates with regular expressions and validates them (ID check digit and real birth date, Luhn for
cards). Number boundaries are "not an ASCII digit" on both sides, so a value glued to Chinese text or a
Latin prefix (``加v13812345678``) is found while a number inside a longer digit run (a 19-digit order
id) is not; numbers inside opaque identifiers (``tk1_<hex>`` tokens, long hex ids) are ignored.

``SQL_PATTERNS`` are RE2 patterns (DuckDB ``regexp_matches``) for a set-based pre-scan. They are a
superset filter on text made of ASCII and full-width characters: every value ``find_pii`` reports makes
the matching pattern true, but a true pattern is only a candidate row that ``find_pii`` must confirm.
Detectors see text only: they cannot know that a Luhn-valid 19-digit number sits in an order-id column.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from datetime import date
from typing import NamedTuple

KINDS = ("mobile", "id_number", "email", "bank_card")


class Finding(NamedTuple):
    """A PII value found in a text: its kind and its ``[start, end)`` offsets in the original text."""

    kind: str
    start: int
    end: int


# --- phone numbers -------------------------------------------------------------------------------
_PHONE_NOISE = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def clean_phone(value: str) -> str:
    """NFKC, drop spaces/hyphens/parentheses and a ``+86``/``0086``/``86`` country prefix."""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", value))
    if text.startswith("+"):
        text = text[1:]
    if len(text) == 15 and text.startswith("0086"):
        return text[4:]
    if len(text) == 13 and text.startswith("86"):
        return text[2:]
    return text


def normalise_phone(value: str | None) -> str | None:
    """The 11-digit mainland mobile number in ``value`` (any common disguise), or None if it is not one."""
    if value is None:
        return None
    text = clean_phone(str(value))
    return text if _MOBILE.fullmatch(text) else None


# --- resident ID numbers -------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID18 = re.compile(r"[1-9][0-9]{5}((?:18|19|20)[0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}[0-9X]")
_ID15 = re.compile(r"[1-9][0-9]{5}([0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}")
_SPACES = re.compile(r"\s+")


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalise_id_number(value: str) -> str:
    """NFKC, no whitespace, upper-case ``X``."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).upper()


def resident_id_birth_date(value: str | None) -> date | None:
    """Birth date of a valid resident ID number (18-digit with check digit, or legacy 15-digit), else None."""
    if not value:
        return None
    text = normalise_id_number(str(value))
    match = _ID18.fullmatch(text)
    if match:
        total = sum(map(operator.mul, map(int, text[:17]), _ID_WEIGHTS))
        if _ID_CHECK[total % 11] != text[17]:
            return None
        return _real_date(int(match[1]), int(match[2]), int(match[3]))
    match = _ID15.fullmatch(text)
    if match:
        return _real_date(1900 + int(match[1]), int(match[2]), int(match[3]))
    return None


def is_valid_resident_id(value: str | None) -> bool:
    """True for an 18-digit ID with a real birth date and a valid ISO 7064 MOD 11-2 check digit, or a
    legacy 15-digit ID with a real birth date."""
    return resident_id_birth_date(value) is not None


# --- bank cards ----------------------------------------------------------------------------------
_CARD_NOISE = re.compile(r"[\s\-]")


def luhn_ok(value: str | None) -> bool:
    """True when the digits of ``value`` (spaces and hyphens ignored) pass the Luhn check."""
    if not value:
        return False
    digits = _CARD_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


# --- free-text scanning ------------------------------------------------------------------------
# People disguise numbers: separators of every kind between digit groups, invisible format characters,
# full-width / circled / mathematical digits, Chinese numerals (一三八, 幺三八, 壹叁捌, 两). The scanner
# first normalises char by char (keeping the original offset of every character): NFKC, Unicode format
# characters (Cf: ZWSP, ZWJ, word joiner, soft hyphen, BOM...) dropped, Chinese numerals read as digits.
# It then reads "digit chains": digit groups joined by short runs of separator characters, and tries
# every slice of a chain that starts and ends on a group boundary as a mobile (with an optional
# 0/86/0086 prefix), resident ID (check digit and real birth date) or bank card (BIN 3-6 and Luhn).
_CN_NUMERALS = str.maketrans("零〇洞一幺壹二两贰貳三叁參四肆五伍六陆陸七柒八捌九玖", "00011122223334455666778899")
_SEPARATORS = " \t\r\n.-_/\\|;,、·・~—–−‐‑‒―丶*()[]【】<>+=＝'\"“”‘’"  # no ":": times 22:04:01
_SEP_CLASS = "[" + re.escape(_SEPARATORS) + "]"
# ", " (comma and space) ends a chain: it is how programs list numbers (``datetime(2026, 12, 2, 14, 10, …)``).
# A pipe with whitespace beside it ends a chain too: it separates columns (dbt's log banner
# ``16:27:18.014919 | 764258d8-…``, tables), while a bare pipe separates a phone's groups (``138|0013|8023``).
_CHAIN_END = r"(?!,\s|\s\||\|\s)"
_CHAIN = re.compile(r"[0-9](?:(?:" + _CHAIN_END + _SEP_CLASS + r"){0,4}[0-9])*(?:[Xx](?![A-Za-z0-9]))?")
_DIGIT_LIKE = re.compile(r"[\d\u2460-\u24ff\u2776-\u2793零〇洞一幺壹二两贰貳三叁參四肆五伍六陆陸七柒八捌九玖]")
_MOBILE_BODY = re.compile(r"(?:0|86|086|0086)?(1[3-9][0-9]{9})")
_EMAIL_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TLDS = r"(?:com|cn|net|org|edu|gov|info|io|me|co|hk|tw|jp|uk|us|biz|top|xyz|vip|club|site)"
_AT = r"(?:\s*(?:@|\(at\)|\[at\]|\{at\}|<at>|艾特|圈a|#)\s*|\s+at\s+)"
_DOT = r"(?:\s*(?:\.|。|\(dot\)|\[dot\]|点|點)\s*|\s+dot\s+)"
_EMAIL_SPELLED = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
    + _AT
    + r"[A-Za-z0-9-]+(?:"
    + _DOT
    + r"[A-Za-z0-9-]+)*"
    + _DOT
    + _TLDS
    + r"(?![A-Za-z])",
    re.IGNORECASE,
)
_CONTACT_CUE = re.compile(
    r"(?:(?<![A-Za-z])(?:(?P<wx>vx|wx|weixin|wechat|v信|威xin|加\s*v)|(?P<qq>qq|q\s+q|q号))"
    r"|(?P<wxcn>微信|威信|薇信|徽信|维信|薇)|(?P<qqcn>扣扣|企鹅))"
    r"(?:群号?|号码|账号|号|id)?\s*[:：是为=]?\s*[^\w\s]{0,2}\s*"
    r"(?P<id>[A-Za-z0-9](?:[A-Za-z0-9_-]|[ -](?=[0-9])){4,21})(?![A-Za-z0-9_-])",
    re.IGNORECASE,
)
_QUICK = re.compile(r"[0-9@#]|艾特|\bat\b|微|信|[vVwWqQ]|扣扣|企鹅|[\u4e00-\u9fff]")
_ID_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_TOKEN_RUN = re.compile(r"tk[0-9]+_[0-9a-f]+")
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")
_UUID_CHARS = _HEX_CHARS | {"-"}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PREFIXED_CODE = re.compile(r"[A-Za-z]+_[0-9]+")  # channel codes such as live_<room id>, note_<id>
_PRIORITY = {"email": 0, "id_number": 1, "bank_card": 2, "mobile": 3, "wechat": 4, "qq": 5, "address": 6, "name": 7}

STRUCTURED_KINDS = frozenset(KINDS + ("wechat", "qq"))
"""Kinds with a checkable shape: what the gate and the report look for (no dictionary guesses)."""
ALL_KINDS = STRUCTURED_KINDS | {"name", "address"}
"""Everything redaction removes: the structured kinds plus personal names and street addresses."""


@functools.lru_cache(maxsize=4096)
def _norm_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""
    return unicodedata.normalize("NFKC", char)


def _normalise_by_char(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-normalised char by char without format (Cf) characters, and the original offset of
    every resulting character."""
    parts: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        mapped = _norm_char(char)
        if mapped:
            parts.append(mapped)
            index.extend([position] * len(mapped))
    return "".join(parts), index


def _inside_opaque_id(text: str, start: int, end: int, kind: str = "mobile") -> bool:
    """True when [start, end) sits inside an opaque identifier rather than free text: a token
    (``tk1_<hex>``), a long hex id (also behind a prefix: ``note_<24 hex>``), a UUID (whose hyphenated
    digit groups can read like a phone; a number taking even one group from a UUID is not one), or — for
    card- and ID-length numbers — a prefixed code such as ``live_<19-digit room id>``."""
    left = start
    while left > 0 and text[left - 1] in _UUID_CHARS:
        left -= 1
    right = end
    while right < len(text) and text[right] in _UUID_CHARS:
        right += 1
    for uuid in _UUID.finditer(text, left, right):
        if uuid.start() < end and start < uuid.end():  # digits of a UUID are no digit group of a number
            return True
    hex_left, hex_right = start, end
    while hex_left > 0 and text[hex_left - 1] in _HEX_CHARS:
        hex_left -= 1
    while hex_right < len(text) and text[hex_right] in _HEX_CHARS:
        hex_right += 1
    hex_run = text[hex_left:hex_right]
    if len(hex_run) >= 16 and not hex_run.isdigit() and all(char in _HEX_CHARS for char in hex_run):
        return True
    left = start
    while left > 0 and text[left - 1] in _ID_CHARS:
        left -= 1
    right = end
    while right < len(text) and text[right] in _ID_CHARS:
        right += 1
    run = text[left:right]
    if _TOKEN_RUN.fullmatch(run):
        return True
    return kind in ("bank_card", "id_number") and bool(_PREFIXED_CODE.fullmatch(run))


def _chain_kind(digits: str) -> str | None:
    length = len(digits)
    if length in (15, 18) and is_valid_resident_id(digits):
        return "id_number"
    if not digits.isdigit():
        return None
    if 16 <= length <= 19 and digits[0] in "3456" and luhn_ok(digits):
        return "bank_card"
    if 11 <= length <= 15 and _MOBILE_BODY.fullmatch(digits):
        return "mobile"
    return None


def _plausible_groups(cuts: list[int], start: int, end: int) -> bool:
    """How people group a number: in one piece, one digit at a time, or in groups of two or more. A lone
    digit among longer groups is a list of numbers (``14, 9, 49, 981950`` in a log line), and a mobile
    whose first group is only its leading ``1`` is a time glued to a ``0`` (``01.779847``)."""
    sizes = [b - a for a, b in zip([start, *cuts], [*cuts, end], strict=True)]
    return len(sizes) == 1 or max(sizes) == 1 or min(sizes) >= 2


def _chain_findings(text: str, cn_digits: frozenset[int]) -> list[Finding]:
    found: list[Finding] = []
    for match in _CHAIN.finditer(text):
        positions = [match.start() + i for i, char in enumerate(match.group()) if char.isdigit() or char in "Xx"]
        if len(positions) < 11:
            continue
        digits = "".join(text[p] for p in positions).upper()
        separated = [k for k in range(1, len(positions)) if positions[k] != positions[k - 1] + 1]
        bounds = {0, len(positions), *separated}
        for k in range(1, len(positions)):
            if positions[k] in cn_digits or positions[k - 1] in cn_digits:
                bounds.add(k)
        ordered = sorted(bounds)
        for a, i in enumerate(ordered):
            for j in ordered[a + 1 :]:
                if j - i > 19:
                    break
                if j - i < 11:
                    continue
                kind = _chain_kind(digits[i:j])
                if kind is None:
                    continue
                body = j - 11 if kind == "mobile" else i  # a 0/86 prefix may share the first group
                if not _plausible_groups([k for k in separated if body < k < j], body, j):
                    continue
                start, end = positions[i], positions[j - 1] + 1
                if start > 0 and text[start - 1] == "+":
                    start -= 1
                if not _inside_opaque_id(text, positions[i], end, kind):
                    found.append(Finding(kind, start, end))
    return found


_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = tuple("欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯".split())
_NAME_CUE = re.compile(
    r"(?:收件人|收货人|寄件人|联系人|代收人|订购人|签收人|姓名|顾客|客户|我是|交给|寄给|送给|代收|收件|老公|老婆)"
    r"[:：\s]*((?:"
    + "|".join(_COMPOUND_SURNAMES)
    + r")[\u4e00-\u9fff]{1,2}|["
    + "".join(sorted(_SURNAMES))
    + r"][\u4e00-\u9fff]{1,2})"
)
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
_NOT_NAMES = frozenset(
    {"顾客", "高兴", "程序", "白色", "黄色", "金色", "方便", "安全", "明星", "文字", "石头", "谢谢", "谢谢你", "谢谢亲"}
)
_ADDRESS = re.compile(
    r"(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区|市|区|县|旗|镇|乡))*"
    r"[\u4e00-\u9fffA-Za-z]{1,8}?(?:大道|大街|路|街|道|巷|弄|胡同|小区|花园|新村|公寓|大厦|广场|社区)"
    r"\s*[0-9一二三四五六七八九十百零〇]+\s*(?:号院|号楼|号|弄|栋|幢|座|期)"
    r"(?:\s*[-0-9A-Za-z一二三四五六七八九十]*\s*(?:号院|号楼|号|栋|幢|座|单元|楼|层|室|户|院))*(?:[-0-9]+)?"
)
_CJK = re.compile(r"[\u4e00-\u9fff]{2}")


@functools.lru_cache(maxsize=1)
def _posseg():
    """jieba's part-of-speech tagger (loaded once, ~1 s; dictionary shipped in the wheel, works offline)."""
    import logging
    import warnings

    with warnings.catch_warnings():  # jieba 0.42.1 has invalid escape sequences (harmless)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    for word in ("小红书", "抖音", "快手", "淘宝", "天猫", "京东", "拼多多", "微信", "直播间", "种草"):
        jieba.add_word(word, tag="nz")
    return jieba.posseg


# A name finding needs one of these characters (a surname, or a compound surname's first character) in
# the same jieba block: a text block without any is never handed to the tagger.
_SURNAME_CHARS = frozenset(_SURNAMES) | frozenset(s[0] for s in _COMPOUND_SURNAMES)


@functools.lru_cache(maxsize=65536)
def _block_names(block: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of the tagger's names in one jieba block (cached: short phrases recur in comments)."""
    found: list[tuple[int, int]] = []
    position = 0
    pairs = list(_posseg().cut(block))
    for index, (word, tag) in enumerate(pairs):
        start, end = position, position + len(word)
        position = end
        following = pairs[index + 1] if index + 1 < len(pairs) else None
        if tag in _NAME_TAGS and 2 <= len(word) <= 4 and word[0] in _SURNAMES and word not in _NOT_NAMES:
            found.append((start, end))
        elif (
            following is not None
            and 1 <= len(following.word) <= 2
            and (word in _COMPOUND_SURNAMES or (word in _SURNAMES and following.flag in _NAME_TAGS))
        ):
            found.append((start, end + len(following.word)))
    return tuple(found)


def _name_findings(text: str) -> list[Finding]:
    """Personal names: jieba person-name tags (``nr``) starting with a common surname, a compound surname
    followed by a given name, and names after cues such as 收件人 / 寄给 / 姓名.

    jieba cuts each run of CJK/alphanumeric characters (its "block") on its own and tags everything between
    blocks as punctuation, digits or English, so tagging only the blocks that hold a surname character gives
    exactly the findings of tagging the whole text, at a fraction of the cost (the HMM is the slow part)."""
    if not _CJK.search(text):
        return []
    found: list[Finding] = []
    for block in _posseg().re_han_internal.finditer(text):
        if _SURNAME_CHARS.isdisjoint(block.group()):
            continue
        offset = block.start()
        found.extend(Finding("name", offset + start, offset + end) for start, end in _block_names(block.group()))
    starts = {finding.start for finding in found}
    found.extend(Finding("name", m.start(1), m.end(1)) for m in _NAME_CUE.finditer(text) if m.start(1) not in starts)
    return found


def _candidates(text: str, cn_digits: frozenset[int], kinds: frozenset[str], plain: str) -> list[Finding]:
    found: list[Finding] = []
    if "email" in kinds:
        if "@" in text:
            found.extend(Finding("email", m.start(), m.end()) for m in _EMAIL_TEXT.finditer(text))
        found.extend(Finding("email", m.start(), m.end()) for m in _EMAIL_SPELLED.finditer(plain))
    if kinds & {"wechat", "qq"}:
        for m in _CONTACT_CUE.finditer(text):
            kind = "qq" if (m["qq"] or m["qqcn"]) else "wechat"
            if kind in kinds and not _inside_opaque_id(text, m.start("id"), m.end("id")):
                found.append(Finding(kind, m.start("id"), m.end("id")))
    found.extend(f for f in _chain_findings(text, cn_digits) if f.kind in kinds)
    if "address" in kinds:
        found.extend(Finding("address", m.start(), m.end()) for m in _ADDRESS.finditer(plain))
    if "name" in kinds:
        found.extend(_name_findings(plain))
    return found


def find_pii(text: str | None, kinds: frozenset[str] | None = None) -> list[Finding]:
    """Non-overlapping PII findings in ``text``, ordered by position (offsets refer to the input).

    ``kinds`` defaults to ``STRUCTURED_KINDS`` (what the gate checks); redaction asks for ``ALL_KINDS``."""
    if not text:
        return []
    kinds = STRUCTURED_KINDS if kinds is None else kinds
    if text.isascii():
        plain, index = text, None
    else:
        plain, index = _normalise_by_char(text)
    if not _QUICK.search(plain):
        return []
    numeric = plain.translate(_CN_NUMERALS)
    cn_digits = frozenset(i for i, (a, b) in enumerate(zip(plain, numeric, strict=True)) if a != b)
    candidates = sorted(
        _candidates(numeric, cn_digits, kinds, plain), key=lambda f: (f.start, f.start - f.end, _PRIORITY[f.kind])
    )
    findings: list[Finding] = []
    last_end = -1
    for finding in candidates:
        if finding.start >= last_end:
            findings.append(finding)
            last_end = finding.end
    if index is None:
        return findings
    return [Finding(f.kind, index[f.start], index[f.end - 1] + 1) for f in findings]


# --- SQL pre-scan patterns (RE2: a superset filter, then find_pii confirms) ----------------------------
# Digit-like characters as RE2 sees them: any Unicode decimal or other number (full-width, circled,
# mathematical) and the Chinese numerals the scanner reads; separators and invisibles are simply skipped.
_D = "[\\p{Nd}\\p{No}零〇洞一幺壹二两贰貳三叁參四肆五伍六陆陸七柒八捌九玖]"
_ND = "[^\\p{Nd}\\p{No}零〇洞一幺壹二两贰貳三叁參四肆五伍六陆陸七柒八捌九玖]"


def _at_least(count: int) -> str:
    return "(" + _D + _ND + "*){" + str(count) + "}"


SQL_PATTERNS: dict[str, str] = {
    "mobile": _at_least(11),
    "id_number": _at_least(15),
    "bank_card": _at_least(16),
    "email": "(?i)[@＠#]|艾特|圈a|(^|[^a-z])at([^a-z]|$)",
    "wechat": "(?i)vx|wx|weixin|wechat|v信|威xin|加\\s*v|微信|威信|薇|徽信|维信|ｖ|ｗ",
    "qq": "(?i)q|扣扣|企鹅|ｑ",
}
"""Per kind, an RE2 pattern true for every text in which ``find_pii`` could report that kind (at least
as many digit-like characters as the kind needs, or its cue word)."""

SQL_ANY_PII = "|".join(f"({pattern})" for pattern in SQL_PATTERNS.values())
"""One RE2 pattern true when any of ``SQL_PATTERNS`` is."""


# --- column-name rule shared by the gate and the report scan --------------------------------------
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_IDENTIFIER_SUFFIXES = ("id", "no", "time", "at", "date")


def is_identifier_column(column: str) -> bool:
    """True for identifier and timestamp columns (``order_id``, ``orderNo``, ``itemId``, ``product_id_str``,
    ``returnTime``): platform ids of 16-19 digits and ``yyyyMMddHHmmssfff`` times pass a Luhn check one time
    in ten, so a *bank-card* finding in such a column is not reported. Mobiles, ID numbers and emails
    still are, whatever the column."""
    parts = _CAMEL_BOUNDARY.sub("_", column.split("__")[-1]).lower().split("_")
    if parts[-1] == "str" and len(parts) > 1:
        parts = parts[:-1]
    return parts[-1] in _IDENTIFIER_SUFFIXES


IDENTIFIER_EXEMPT_KINDS = frozenset({"bank_card"})
"""Kinds not reported in an identifier column (see ``is_identifier_column``)."""


def exempt_kinds(column: str) -> frozenset[str]:
    """The finding kinds not reported in ``column``: the one rule the gate and the report scan both apply."""
    return IDENTIFIER_EXEMPT_KINDS if is_identifier_column(column) else frozenset()
