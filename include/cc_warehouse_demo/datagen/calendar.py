"""The generated window (Asia/Shanghai days), campaign multipliers and time-of-day sampling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np

SHANGHAI = timezone(timedelta(hours=8))
DAY_S = 86400

# Chinese New Year (Spring Festival) dates; the week either side is a lull (logistics stop).
_CNY = [date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6), date(2028, 1, 26)]

# Orders by local hour: morning ramp, lunch bump, evening peak 20-22h.
HOUR_WEIGHTS = np.array(
    [2, 1, 0.6, 0.4, 0.3, 0.4, 1, 2, 3, 4, 5, 5.5, 6, 5.5, 5, 5, 5, 5.5, 6, 7, 9, 10, 9, 5], dtype=float
)


@dataclass(frozen=True)
class Window:
    """`days` local days ending on `end_date` inclusive: [start_s, end_s) in Unix seconds."""

    end_date: date
    days: int

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def start_s(self) -> int:
        return int(datetime.combine(self.start_date, datetime.min.time(), SHANGHAI).timestamp())

    @property
    def end_s(self) -> int:
        return self.start_s + self.days * DAY_S

    @property
    def dates(self) -> list[date]:
        return [self.start_date + timedelta(days=i) for i in range(self.days)]

    @property
    def day_starts(self) -> np.ndarray:
        return self.start_s + DAY_S * np.arange(self.days, dtype=np.int64)


def _red_friday(year: int) -> date:
    """RED's 红色星期五: the last Friday of November."""
    d = date(year, 11, 30)
    return d - timedelta(days=(d.weekday() - 4) % 7)


def day_multiplier(day: date, platform: str) -> float:
    """Relative order volume of a day: campaign peaks, CNY lull, a weekend lift."""
    md = (day.month, day.day)
    m = 1.15 if day.weekday() >= 5 else 1.0
    peaks = {
        (11, 11): 5.0,
        (11, 10): 2.2,
        (11, 12): 1.5,
        (6, 18): 4.0,
        (6, 17): 1.8,
        (12, 12): 3.0,
        (10, 31): 1.6,
        (11, 1): 1.6,
    }
    m *= peaks.get(md, 1.0)
    if platform == "red" and md == (6, 6):
        m *= 3.0
    if platform == "red" and day == _red_friday(day.year):
        m *= 2.5
    if any(abs((day - cny).days) <= 7 for cny in _CNY):
        m *= 0.45
    return m


def day_weights(window: Window, platform: str) -> np.ndarray:
    """Normalised day weights over the window for one platform."""
    w = np.array([day_multiplier(d, platform) for d in window.dates], dtype=float)
    return w / w.sum()


def sample_times(rng: np.random.Generator, n: int, window: Window, platform: str) -> np.ndarray:
    """Unix-second timestamps following the campaign calendar and the hour-of-day profile."""
    day = rng.choice(window.days, size=n, p=day_weights(window, platform))
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    return window.day_starts[day] + hour * 3600 + rng.integers(0, 3600, size=n)


def iso(unix_s: int) -> str:
    """ISO-8601 local timestamp of a Unix second."""
    return datetime.fromtimestamp(unix_s, SHANGHAI).isoformat()
