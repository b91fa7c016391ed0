"""Data generator for the clock benchmarks: clocks as a utility's orders produce them.

Limits are drawn from the limits of Attachment 1 (0, 0.5, 1, 2, 3, 4, 13, 18 working days); starts are
uniform over office and non-office hours from 2005 to mid-2026; 60 % of clocks have no suspension, 30 %
one and 10 % two (I5), each lasting from an hour to five days. Deterministic for a given seed.
"""

from datetime import datetime

import numpy as np

from yekuo.workcal.engine import SHANGHAI

LIMITS = np.array([0, 0.5, 1, 2, 3, 4, 13, 18])
LIMIT_WEIGHTS = np.array([0.10, 0.20, 0.20, 0.15, 0.15, 0.05, 0.10, 0.05])
FIRST = int(datetime(2005, 1, 1, tzinfo=SHANGHAI).timestamp())
LAST = int(datetime(2026, 6, 30, tzinfo=SHANGHAI).timestamp())


def clocks(n: int, seed: int = 20260930):
    """(starts, days, pause_starts, pause_ends) with (n, 2) pause arrays padded by zero-length pauses."""
    rng = np.random.default_rng(seed)
    starts = rng.integers(FIRST, LAST, n, dtype=np.int64)
    days = rng.choice(LIMITS, size=n, p=LIMIT_WEIGHTS)
    count = rng.choice([0, 1, 2], size=n, p=[0.6, 0.3, 0.1])
    offsets = np.sort(rng.integers(0, 10 * 86400, (n, 2)), axis=1)
    lengths = rng.integers(3600, 5 * 86400, (n, 2))
    ps = starts[:, None] + offsets
    pe = ps + lengths
    pe[:, 0] = np.minimum(pe[:, 0], ps[:, 1])  # keep the two pauses apart
    unused = np.arange(2)[None, :] >= count[:, None]
    ps = np.where(unused, starts[:, None], ps)
    pe = np.where(unused, starts[:, None], pe)
    return starts, days, ps, pe


def pauses_of(ps, pe, i: int) -> list[tuple[int, int]]:
    return [(int(ps[i, k]), int(pe[i, k])) for k in range(ps.shape[1]) if pe[i, k] > ps[i, k]]
