"""Planted fake-engagement (刷量) episodes, labelled in the ground truth.

A share of contents gets one bought day. The kind planted is one the platform data can show:

- ``reads_spike``: bought reads / plays / views on one day, 15-30x the content's natural best day (and
  the creator's earlier contents'), only where the creator has >= 3 earlier contents of the type;
- ``interactions_above_reads``: bought likes (notes, videos) or comments (live) above the day's reads;
- ``comment_concentration`` (RED notes): a burst of comments from 2-4 accounts.

The labels are the generator's intent, written before any warehouse rule looks at the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EPISODE_RATE = 0.07
MIN_PRIOR_FOR_SPIKE = 3
SPIKE_FACTOR = (15.0, 30.0)
SPIKE_MIN_READS = 1500


@dataclass
class Episodes:
    """content index -> (kind, daily-row index or session index)."""

    kind: dict[int, str] = field(default_factory=dict)
    row: dict[int, int] = field(default_factory=dict)

    def label(self, ids: list[str], day_of_row) -> dict[str, dict[str, str]]:
        return {ids[i]: {"kind": k, "date": day_of_row(self.row[i])} for i, k in sorted(self.kind.items())}


def prior_baseline(keys: np.ndarray, publish_s: np.ndarray, peaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per content: how many earlier contents the same account published, and the median of their peaks."""
    n = keys.size
    prior = np.zeros(n, dtype=np.int64)
    median = np.zeros(n, dtype=float)
    for key in np.unique(keys):
        idx = np.flatnonzero(keys == key)
        idx = idx[np.argsort(publish_s[idx], kind="stable")]
        for pos, i in enumerate(idx):
            earlier = idx[:pos][publish_s[idx[:pos]] < publish_s[i]]
            prior[i] = earlier.size
            median[i] = float(np.median(peaks[earlier])) if earlier.size else 0.0
    return prior, median


def choose(
    rng: np.random.Generator,
    keys: np.ndarray,
    publish_s: np.ndarray,
    content_of_row: np.ndarray,
    reads: np.ndarray,
    other_kinds: list[str],
) -> Episodes:
    """Pick the episodes and apply the reads spikes in place (other kinds are applied by the caller)."""
    n = keys.size
    peaks = np.zeros(n, dtype=float)
    np.maximum.at(peaks, content_of_row, reads.astype(float))
    prior, median = prior_baseline(keys, publish_s, peaks)
    observed = np.bincount(content_of_row, minlength=n) > 0
    chosen = np.flatnonzero(observed & (rng.random(n) < EPISODE_RATE))
    out = Episodes()
    for i in chosen:
        rows = np.flatnonzero(content_of_row == i)
        row = int(rows[rng.integers(0, rows.size)])
        if prior[i] >= MIN_PRIOR_FOR_SPIKE and rng.random() < 0.5:
            target = rng.uniform(*SPIKE_FACTOR) * max(peaks[i], median[i])
            reads[row] = max(int(reads[row]), SPIKE_MIN_READS, int(target))
            out.kind[int(i)] = "reads_spike"
        else:
            out.kind[int(i)] = other_kinds[int(rng.integers(0, len(other_kinds)))]
        out.row[int(i)] = row
    return out


def rows_of(episodes: Episodes, kind: str) -> np.ndarray:
    return np.array(sorted(r for i, r in episodes.row.items() if episodes.kind[i] == kind), dtype=np.int64)
