"""Synthetic people and things: customers (one phone across all sources), creators, products, regions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cc_warehouse_demo.datagen import arrays as A
from cc_warehouse_demo.datagen.calendar import Window

# (province id, province, city id, city, ID area code, districts)
REGIONS = [
    (110000, "北京市", 110100, "北京市", 110105, ["朝阳区", "海淀区", "东城区"]),
    (310000, "上海市", 310100, "上海市", 310104, ["徐汇区", "浦东新区", "静安区"]),
    (440000, "广东省", 440100, "广州市", 440106, ["天河区", "越秀区", "海珠区"]),
    (440000, "广东省", 440300, "深圳市", 440305, ["南山区", "福田区", "宝安区"]),
    (330000, "浙江省", 330100, "杭州市", 330106, ["西湖区", "余杭区", "滨江区"]),
    (320000, "江苏省", 320500, "苏州市", 320505, ["姑苏区", "吴中区", "工业园区"]),
    (510000, "四川省", 510100, "成都市", 510104, ["锦江区", "武侯区", "高新区"]),
    (420000, "湖北省", 420100, "武汉市", 420106, ["武昌区", "洪山区", "江汉区"]),
    (610000, "陕西省", 610100, "西安市", 610113, ["雁塔区", "碑林区", "未央区"]),
    (370000, "山东省", 370200, "青岛市", 370202, ["市南区", "崂山区", "黄岛区"]),
    (500000, "重庆市", 500100, "重庆市", 500103, ["渝中区", "江北区", "南岸区"]),
    (430000, "湖南省", 430100, "长沙市", 430104, ["岳麓区", "天心区", "开福区"]),
]
REGION_WEIGHTS = np.array([9, 10, 9, 9, 8, 7, 7, 6, 5, 5, 5, 5], dtype=float)
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = list("伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞辉宇浩然欣怡婷雪琳晨晓佳悦")
STREETS = ["建设路", "人民路", "解放路", "中山路", "和平路", "文化路", "新华路", "花园路", "长江路", "学府路"]
MOBILE_PREFIXES = [
    130,
    131,
    132,
    133,
    135,
    136,
    137,
    138,
    139,
    150,
    151,
    152,
    155,
    156,
    157,
    158,
    159,
    166,
    176,
    177,
    180,
    181,
    182,
    183,
    185,
    186,
    187,
    188,
    189,
    191,
    195,
    198,
    199,
]

TIERS = ["head", "waist", "tail"]


@dataclass
class Customers:
    """One row per person; the phone is the cross-source key."""

    n: int
    phone: pa.Array
    name: pa.Array
    surname: np.ndarray  # index into SURNAMES (for masks)
    gender: np.ndarray  # 1 male 2 female
    birth: np.ndarray  # yyyymmdd int
    id_number: pa.Array
    region: np.ndarray  # index into REGIONS
    district: np.ndarray  # 0..2
    address: pa.Array
    is_member: np.ndarray
    is_contact: np.ndarray  # WeCom external contact
    monthly_rate: np.ndarray  # expected paid orders per month
    aov_factor: np.ndarray


def _birthdays(rng: np.random.Generator, n: int, window: Window) -> np.ndarray:
    """Adults 18-55 plus ~0.5% children under 14 (who appear as cross-border buyers)."""
    year_end = window.end_date.year
    age = rng.integers(18, 56, size=n)
    minor = rng.random(n) < 0.005
    age[minor] = rng.integers(6, 13, size=int(minor.sum()))
    month = rng.integers(1, 13, size=n)
    day = rng.integers(1, 29, size=n)
    return (year_end - age) * 10000 + month * 100 + day


def make_customers(rng: np.random.Generator, n: int, window: Window) -> Customers:
    """Customers with unique synthetic mobiles, names, addresses, valid ID numbers and a member flag."""
    prefix = np.array(MOBILE_PREFIXES, dtype=np.int64)[rng.integers(0, len(MOBILE_PREFIXES), size=n)]
    phone = A.fixed_digits(prefix * 10**8 + A.unique_numbers(rng, n, 10**8), 11)
    surname = rng.integers(0, len(SURNAMES), size=n)
    g1 = rng.integers(0, len(GIVEN), size=n)
    g2 = np.where(rng.random(n) < 0.7, rng.integers(0, len(GIVEN), size=n), len(GIVEN))
    name = A.concat(A.pick(SURNAMES, surname), A.pick(GIVEN, g1), A.pick([*GIVEN, ""], g2))
    region = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS / REGION_WEIGHTS.sum())
    district = rng.integers(0, 3, size=n)
    birth = _birthdays(rng, n, window)
    area = np.array([r[4] for r in REGIONS], dtype=np.int64)[region]
    id_number = A.resident_ids(area, birth, rng.integers(0, 1000, size=n))
    address = A.concat(
        A.pick(STREETS, rng.integers(0, len(STREETS), size=n)),
        A.fixed_digits(rng.integers(1, 999, size=n), 3),
        "号",
        A.fixed_digits(rng.integers(1, 30, size=n), 2),
        "栋",
        A.fixed_digits(rng.integers(101, 2999, size=n), 4),
        "室",
    )
    is_member = rng.random(n) < 0.3
    is_contact = np.where(is_member, rng.random(n) < 0.7, rng.random(n) < 0.05)
    heterogeneity = rng.gamma(2.0, 0.5, size=n)
    monthly_rate = np.where(is_member, 2.3, 0.8) * heterogeneity
    aov_factor = np.where(is_member, 1.35, 1.0)
    return Customers(
        n,
        phone,
        name,
        surname,
        rng.integers(1, 3, size=n),
        birth,
        id_number,
        region,
        district,
        address,
        is_member,
        is_contact,
        monthly_rate,
        aov_factor,
    )


@dataclass
class Creators:
    """Creators of one platform with a tier (head / waist / tail) and follower counts."""

    n: int
    ids: pa.Array
    names: list[str]
    tier: np.ndarray  # index into TIERS
    followers: np.ndarray


def make_creators(rng: np.random.Generator, n: int, platform: str) -> Creators:
    """Head <1% (at least one, over 10M followers), waist ~25% (around the million level, some in the
    100k-1M band), tail/KOC the rest (<100k followers): the seeds' 头部 超千万 / 腰部 百万级 / 尾部 十万以下."""
    tier = np.where(rng.random(n) < 0.25, 1, 2)
    tier[: max(1, n // 120)] = 0
    followers = np.select(
        [tier == 0, tier == 1],
        [
            rng.integers(10_500_000, 40_000_000, size=n),
            np.exp(rng.normal(np.log(1.5e6), 0.6, size=n)).astype(int),
        ],
        rng.integers(1_000, 95_000, size=n),
    )
    followers = np.where(tier == 1, np.clip(followers, 120_000, 9_500_000), followers)
    if platform == "douyin":
        ids = A.fixed_digits(A.unique_numbers(rng, n, 10**11) + 10**11, 12)
    else:
        ids = A.random_hex(rng, n, 24)
    prefixes = ["小", "阿", "大", "美妆", "穿搭", "好物", "宝妈", "吃货"]
    names = [
        f"{prefixes[i % len(prefixes)]}{SURNAMES[(i * 7) % len(SURNAMES)]}{GIVEN[(i * 3) % len(GIVEN)]}"
        f"{'' if i < len(prefixes) else i}"
        for i in range(n)
    ]
    return Creators(n, ids, names, tier, followers)


# (name, price in fen, cross-border)
PRODUCTS = [
    ("玻尿酸补水面膜10片", 9900, False),
    ("氨基酸洁面乳", 6900, False),
    ("烟酰胺精华液30ml", 25900, False),
    ("防晒霜SPF50", 13900, False),
    ("口红丝绒雾面", 19900, False),
    ("气垫粉底", 29900, False),
    ("纯棉T恤", 7900, False),
    ("高腰牛仔裤", 19900, False),
    ("羊毛针织衫", 39900, False),
    ("坚果礼盒", 12900, False),
    ("低糖燕麦片", 4900, False),
    ("挂耳咖啡30包", 8900, False),
    ("婴儿湿巾80抽", 3900, False),
    ("儿童保温杯", 12900, False),
    ("宝宝洗发沐浴二合一", 6900, False),
    ("澳洲婴儿奶粉900g", 25800, True),
    ("日本面膜30片", 15900, True),
    ("法国精华眼霜15ml", 59900, True),
    ("韩国防晒喷雾", 11900, True),
    ("新西兰蜂蜜500g", 29900, True),
    ("德国益生菌", 21900, True),
    ("美国鱼油胶囊", 18900, True),
    ("意大利香水50ml", 89900, True),
    ("瑞士护手霜", 9900, True),
]


@dataclass
class Catalog:
    """Products with stable product and SKU ids; split into domestic and cross-border."""

    product_ids: pa.Array
    sku_ids: pa.Array
    names: list[str]
    prices: np.ndarray
    cross_border: np.ndarray


def make_catalog(rng: np.random.Generator) -> Catalog:
    n = len(PRODUCTS)
    return Catalog(
        product_ids=A.fixed_digits(A.unique_numbers(rng, n, 10**18) + 3 * 10**18, 19),
        sku_ids=A.fixed_digits(A.unique_numbers(rng, n, 10**13) + 10**13, 14),
        names=[p[0] for p in PRODUCTS],
        prices=np.array([p[1] for p in PRODUCTS], dtype=np.int64),
        cross_border=np.array([p[2] for p in PRODUCTS], dtype=bool),
    )
