"""Private domain: CRM member exports (CSV as Excel writes them) and WeCom contacts and groups."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cc_warehouse_demo.datagen import arrays as A
from cc_warehouse_demo.datagen.calendar import DAY_S, Window
from cc_warehouse_demo.datagen.content import LiveSessions, Pieces
from cc_warehouse_demo.datagen.population import Customers

STAFF = ["zhangwei", "liuyang", "chenjing", "wangfang", "lina"]
TIERS = ["普通", "银卡", "金卡", "黑金"]
JOIN_CHANNELS = ["douyin_live", "red_note", "wecom", "offline_store", "mini_program"]


def contact_ids(rng: np.random.Generator, customers: Customers) -> pa.Array:
    """WeCom external_userid for every customer (only contacts use theirs)."""
    return A.concat("wm", A.random_hex(rng, customers.n, 30))


def wecom_contacts(
    rng: np.random.Generator,
    cu: Customers,
    external_ids: pa.Array,
    sessions: LiveSessions,
    notes: Pieces,
    window: Window,
) -> pa.Table:
    """One record per contact; `state` links it to the live room or note that recruited it."""
    idx = np.flatnonzero(cu.is_contact)
    n = idx.size
    take = pa.array(idx)
    source = rng.choice(3, size=n, p=[0.4, 0.3, 0.3])  # live / note / other
    sess = rng.integers(0, sessions.mode.size, size=n)
    note = rng.integers(0, len(notes.ids), size=n)
    created = window.start_s - rng.integers(0, 700 * DAY_S, size=n)
    live = source == 0
    created[live] = sessions.start_s[sess[live]] + rng.integers(0, 3600, size=int(live.sum()))
    on_note = source == 1
    created[on_note] = np.minimum(
        notes.publish_s[note[on_note]] + rng.integers(0, 3 * DAY_S, size=int(on_note.sum())),
        window.end_s - 60,
    )
    state = A.pick(["", "live_", "note_"], np.where(live, 1, np.where(on_note, 2, 0)))
    ref = pc.if_else(
        pa.array(live),
        sessions.room_id.take(pa.array(sess)),
        pc.if_else(pa.array(on_note), notes.ids.take(pa.array(note)), ""),
    )
    has_mobile = rng.random(n) < 0.85
    mobiles = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum(has_mobile)]).astype(np.int32)),
        cu.phone.take(pa.array(idx[has_mobile])),
    )
    n_tags = rng.integers(0, 3, size=n)
    tags = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum(n_tags)]).astype(np.int32)),
        A.concat(
            "et",
            A.pick(["vip", "new", "crossborder", "mom", "beauty"], rng.integers(0, 5, size=int(n_tags.sum()))),
        ),
    )
    has_union = rng.random(n) < 0.6
    contact = pa.StructArray.from_arrays(
        [
            external_ids.take(take),
            cu.name.take(take),
            pa.array(np.ones(n, dtype=np.int64)),
            pa.array(cu.gender[idx]),
            A.null_where(A.concat("o", A.random_hex(rng, n, 27)), ~has_union),
            A.concat("https://wework.qpic.cn/avatar/", A.random_hex(rng, n, 16)),
        ],
        names=["external_userid", "name", "type", "gender", "unionid", "avatar"],
    )
    follow = pa.StructArray.from_arrays(
        [
            A.pick(STAFF, rng.integers(0, len(STAFF), size=n)),
            A.pick(["", "老客户", "直播间加的", "咨询过跨境"], rng.integers(0, 4, size=n)),
            A.pick(["", "偏好护肤", "宝妈"], rng.integers(0, 3, size=n)),
            pa.array(created),
            tags,
            mobiles,
            pa.array(np.where(live | on_note, 1, rng.choice([2, 3, 4], size=n))),
            A.concat(state, ref),
        ],
        names=[
            "userid",
            "remark",
            "description",
            "createtime",
            "tag_id",
            "remark_mobiles",
            "add_way",
            "state",
        ],
    )
    return pa.table({"external_contact": contact, "follow_info": follow})


def wecom_groups(rng: np.random.Generator, cu: Customers, external_ids: pa.Array, window: Window) -> pa.Table:
    """Customer groups (社群): ~60% of contacts sit in one group, plus the owner."""
    idx = np.flatnonzero(cu.is_contact)
    idx = idx[rng.random(idx.size) < 0.6]
    n_groups = int(np.clip(idx.size // 200, 1, 500))
    group = rng.integers(0, n_groups, size=idx.size)
    order = np.argsort(group, kind="stable")
    idx, group = idx[order], group[order]
    owners = rng.integers(0, len(STAFF), size=n_groups)
    created = window.start_s - rng.integers(30 * DAY_S, 400 * DAY_S, size=n_groups)
    counts = np.bincount(group, minlength=n_groups) + 1
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    # owner first, then external members of that group
    is_owner = np.zeros(offsets[-1], dtype=bool)
    is_owner[offsets[:-1]] = True
    member_pos = np.flatnonzero(~is_owner)
    userid = np.empty(offsets[-1], dtype=object)
    userid[offsets[:-1]] = np.array(STAFF, dtype=object)[owners]
    userid[member_pos] = np.asarray(external_ids.take(pa.array(idx)).to_numpy(zero_copy_only=False))
    group_of_row = np.repeat(np.arange(n_groups), counts)
    join_time = np.where(
        is_owner, created[group_of_row], created[group_of_row] + rng.integers(0, 30 * DAY_S, size=offsets[-1])
    )
    members = pa.StructArray.from_arrays(
        [
            pa.array(userid, pa.string()),
            pa.array(np.where(is_owner, 1, 2)),
            pa.array(np.minimum(join_time, window.end_s - 60)),
            pa.array(rng.integers(1, 4, size=offsets[-1])),
        ],
        names=["userid", "type", "join_time", "join_scene"],
    )
    return pa.table(
        {
            "chat_id": A.concat("wr", A.random_hex(rng, n_groups, 30)),
            "name": A.concat("品牌福利", pa.array(np.arange(1, n_groups + 1)).cast(pa.string()), "群"),
            "owner": A.pick(STAFF, owners),
            "create_time": pa.array(created),
            "member_list": pa.ListArray.from_arrays(pa.array(offsets), members),
        }
    )


def crm_members(rng: np.random.Generator, cu: Customers, external_ids: pa.Array, window: Window) -> pa.Table:
    """Member rows with the Chinese export headers' field names (values as an export shows them)."""
    idx = np.flatnonzero(cu.is_member)
    n = idx.size
    take = pa.array(idx)
    rate = cu.monthly_rate[idx]
    tier = np.digitize(rate, [1.5, 3.0, 5.0])
    joined = window.end_s - rng.integers(DAY_S, 900 * DAY_S, size=n)
    cross_consent = rng.random(n) < 0.5
    birth = cu.birth[idx]
    return pa.table(
        {
            "member_id": A.concat("M", A.fixed_digits(A.unique_numbers(rng, n, 10**8), 8)),
            "mobile": cu.phone.take(take),
            "name": cu.name.take(take),
            "gender": A.pick(["", "男", "女"], cu.gender[idx]),
            "birthday": A.concat(
                A.fixed_digits(birth // 10000, 4),
                "-",
                A.fixed_digits(birth // 100 % 100, 2),
                "-",
                A.fixed_digits(birth % 100, 2),
            ),
            "tier": A.pick(TIERS, tier),
            "points": pa.array((rate * rng.uniform(200, 2000, size=n)).astype(np.int64)),
            "joined_at": A.local_strings(joined, "%Y-%m-%d %H:%M:%S"),
            "join_channel": A.pick(JOIN_CHANNELS, rng.integers(0, len(JOIN_CHANNELS), size=n)),
            "marketing_consent": A.pick(["否", "是"], (rng.random(n) < 0.8).astype(int)),
            "crossborder_consent": A.pick(["否", "是"], cross_consent.astype(int)),
            "id_number": pc.fill_null(A.null_where(cu.id_number.take(take), ~cross_consent), ""),
            "external_userid": pc.fill_null(A.null_where(external_ids.take(take), ~cu.is_contact[idx]), ""),
            "remark": A.pick(["", "", "老客户", "生日送小样", "偏好跨境商品"], rng.integers(0, 5, size=n)),
        }
    )


def export_rows(n: int) -> list[np.ndarray]:
    """Member rows of the three exports: the first and the third are GBK, the second UTF-8 with BOM."""
    return np.array_split(np.arange(n), 3)


UTF8_EXPORT = 1
"""Index of the UTF-8 export (text GBK cannot encode, emoji or invisible characters, can only go there)."""


def write_crm_exports(members: pa.Table, headers: dict[str, str], out_dir: Path, window: Window) -> list[Path]:
    """Three exports: GBK with a title row, UTF-8 with BOM, GBK plain. Returns the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = window.end_date.strftime("%Y%m%d")
    field_to_header = {f: h for h, f in headers.items()}
    table = members.rename_columns([field_to_header[c] for c in members.column_names])
    thirds = export_rows(table.num_rows)
    layouts = [("gbk", f"会员导出 {window.end_date.isoformat()}\n"), ("utf-8-sig", ""), ("gbk", "")]
    paths = []
    for i, (rows, (encoding, title)) in enumerate(zip(thirds, layouts, strict=True), start=1):
        buf = io.BytesIO()
        pacsv.write_csv(
            table.take(pa.array(rows, pa.int64())),
            buf,
            pacsv.WriteOptions(quoting_style="needed", delimiter=","),
        )
        text = (title + buf.getvalue().decode("utf-8")).replace("\n", "\r\n")
        path = out_dir / f"members_{stamp}_{i}.csv"
        path.write_bytes(text.encode(encoding))
        paths.append(path)
    return paths
