"""Open the privacy report in headless Chromium: it renders, with its sections and Chinese labels."""

import os
import shutil
import struct
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest
from cc_warehouse.reports.privacy_report import write_privacy_report

pytestmark = pytest.mark.browser

INSTALL_HINT = "apt-get install -y chromium fonts-noto-cjk"
HEADINGS = (
    "1. Personal-information inventory",
    "2. PII scan results",
    "3. Consent coverage",
    "4. Retention status",
    "5. Latest runs",
    "6. Data-quality summary",
)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"headless Chromium is required in CI but was not found: {INSTALL_HINT}")
    pytest.skip(f"chromium not installed ({INSTALL_HINT})")


def _run_chromium(binary: str, tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    args = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,2000",
        *extra,
        url,
    ]
    return subprocess.run(
        args, capture_output=True, text=True, timeout=120, check=False, env={**os.environ, "HOME": str(tmp_path)}
    )


def _screenshot(binary: str, tmp_path: Path, url: str, name: str) -> Path:
    png = tmp_path / name
    proc = _run_chromium(binary, tmp_path, url, f"--screenshot={png}")
    assert png.exists(), f"no screenshot written: {proc.stderr[-2000:]}"
    return png


def _distinct_pixel_bytes(png: Path) -> int:
    """Distinct byte values in the decompressed image data: a one-colour page has only a handful."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert (width, height) == (1280, 2000)
    return len(set(zlib.decompress(idat)))


def test_report_renders_in_headless_chromium(tmp_path, report_inputs):
    binary = _chromium()
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
        assert fonts.strip(), f"no Chinese font installed, text would render as boxes: {INSTALL_HINT}"
    page = write_privacy_report(
        raw_db=report_inputs.raw_db,
        warehouse_db=report_inputs.warehouse_db,
        landing_dir=report_inputs.landing_dir,
        reports_dir=report_inputs.reports_dir,
        as_of=date(2026, 11, 15),
    )

    dom = _run_chromium(binary, tmp_path, page.as_uri(), "--dump-dom").stdout
    for heading in HEADINGS:
        assert heading in dom
    assert "基础信息" in dom and "个人信息保护报告" in dom

    shot = _screenshot(binary, tmp_path, page.as_uri(), "privacy_report.png")
    assert shot.stat().st_size > 20_000
    blank = _screenshot(binary, tmp_path, "about:blank", "blank.png")
    assert _distinct_pixel_bytes(blank) < 10 <= 100 < _distinct_pixel_bytes(shot)
