"""Sample values and registry-driven sample records for the privacy tests."""

from __future__ import annotations

from datetime import date

from cc_warehouse.sources.registry import FieldSpec, load_registry

AS_OF = date(2026, 11, 15)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    """An 18-digit ID with its ISO 7064 MOD 11-2 check digit (independent of the code under test)."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def luhn_complete(prefix: str) -> str:
    """``prefix`` plus the Luhn check digit."""
    for check in "0123456789":
        digits = [int(d) for d in prefix + check][::-1]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
        if total % 10 == 0:
            return prefix + check
    raise AssertionError("unreachable")


CARD = luhn_complete("622202123456789012")  # 19 digits
CLEAR_PHONE = "13812345678"
CLEAR_NAME = "王小明"
CLEAR_ID = "110101199003071233"
CLEAR_ID_X = "11010519491231002X"
CLEAR_EMAIL = "wang.xm@example.com"
CLEAR_BIRTHDAY = "1990-03-07"
PHOTO_URL = "https://img.example.com/idcard/front.jpg"
FREE_TEXT = f"请联系{CLEAR_PHONE}或邮箱{CLEAR_EMAIL}，身份证{CLEAR_ID}，卡号{CARD}"

# Every clear value the generator puts into a PII field; none may survive treatment.
CLEAR_VALUES = [
    CLEAR_PHONE,
    "139 8765 4321",
    "98765432",
    CLEAR_NAME,
    "小明",
    CLEAR_ID,
    CLEAR_ID_X,
    CLEAR_EMAIL,
    CLEAR_BIRTHDAY,
    PHOTO_URL,
    "idcard",
    CARD,
    "121.4737",
    "31.2304",
    "user-0001",
    "wmEXTERNAL01",
    "oUNIONID01",
    "4200001234567890",
    "南京市中山路1号",
    "#ENCRYPTED#",
]

TOKEN_VALUES = {
    "phone": "+86 138-1234-5678",
    "id_number": CLEAR_ID_X,
    "user_id": "user-0001",
    "external_userid": "wmEXTERNAL01",
    "unionid": "oUNIONID01",
    "payment_no": "4200001234567890",
}
LIST_FIELDS = {
    "remark_mobiles": [CLEAR_PHONE, "139 8765 4321"],
    "tags": ["护肤", "测评"],
    "tag_id": ["t1", "t2"],
}


def sample_value(spec: FieldSpec) -> object:
    """A value for ``spec`` that carries clear PII wherever the treatment must remove it."""
    if spec.fields is not None:
        return {name: sample_value(child) for name, child in spec.fields.items()}
    if spec.items is not None:
        return [{name: sample_value(child) for name, child in spec.items.items()} for _ in range(2)]
    if spec.name in LIST_FIELDS:
        return LIST_FIELDS[spec.name]
    name = spec.name.lower()
    if spec.treatment == "token":
        return TOKEN_VALUES[spec.kind]
    if spec.treatment == "mask":
        return CLEAR_PHONE if "tel" in name else CLEAR_NAME
    if spec.treatment == "coarsen":
        return CLEAR_BIRTHDAY
    if spec.treatment == "redact":
        return FREE_TEXT
    if spec.treatment == "drop":
        if "url" in name:
            return PHOTO_URL
        return {"longitude": 121.4737, "latitude": 31.2304}.get(name, "南京市中山路1号 " + CLEAR_PHONE)
    return f"v-{spec.name}"


def sample_record(entity: str) -> dict:
    return {name: sample_value(spec) for name, spec in load_registry().entity(entity).fields.items()}
