"""Benchmark: the clock engine against a day-by-day loop and the `holidays` library.

    .venv/bin/python bench/clock_engine.py [--n 1000000] [--sample 20000] [--repeat 5]

1,000,000 deadlines with suspensions (bench/data.py) through the batch path; a sample of the same
clocks through the scalar path and the day-by-day loop (which must agree with the engine on every one);
and `holidays`' get_nth_working_day on the same starts and limits rounded up to whole days, which is
all it can do (no office hours, no half days, no pauses), so it is a generous baseline. Throughputs
are medians over --repeat runs. The last line is JSON.
"""

import argparse
import json
import math
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.baselines import chinese_is_working, day_loop_deadline, day_loop_elapsed
from bench.data import clocks, pauses_of
from yekuo.workcal.engine import SHANGHAI, DaySpec, WorkTable


def build_table() -> WorkTable:
    is_working = chinese_is_working()
    days, day = [], date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        days.append(DaySpec(day, is_working(day)))
        day += timedelta(days=1)
    return WorkTable(days)


def day_loop_with_pauses(start, days, pauses, is_working) -> int:
    """The day loop, taught suspensions the obvious way: spend the budget up to each pause, resume after."""
    if days == 0:
        budget = day_loop_elapsed(start, day_loop_deadline(start, 0, is_working), is_working)
    else:
        budget = int(days * 420 * 60)
    t = start
    for ps, pe in pauses:
        candidate = day_loop_deadline(t, budget, is_working)
        if candidate <= ps:
            return candidate
        budget -= day_loop_elapsed(t, ps, is_working)
        t = pe
    return day_loop_deadline(t, budget, is_working)


def timed(fn, repeat):
    runs = []
    for _ in range(repeat):
        begin = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - begin)
    return statistics.median(runs), result


def host_yardstick(n: int = 1_000_000, m: int = 5000, repeat: int = 2) -> int:
    """Deadlines per second of the pure-Python day loop on the first `m` of `n` clocks, in this process: how
    fast the host runs plain Python today. It is the same figure as this benchmark's `day_loop_per_s` with its
    defaults, so other benchmarks print it beside their figures and figures taken on hosts of different speed
    (a shared VM's speed changes from host to host) can be compared."""
    starts, days, ps, pe = clocks(n)
    is_working = chinese_is_working()
    args = [(int(starts[i]), float(days[i]), pauses_of(ps, pe, i)) for i in range(m)]
    seconds, _ = timed(lambda: [day_loop_with_pauses(s, d, p, is_working) for s, d, p in args], repeat)
    return round(m / seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    table = build_table()
    starts, days, ps, pe = clocks(args.n)
    table.deadlines_batch(starts[:1000], days[:1000], ps[:1000], pe[:1000])  # warm the caches
    batch_s, (deadlines, _) = timed(lambda: table.deadlines_batch(starts, days, ps, pe), args.repeat)

    k = min(args.sample, args.n)
    s_list = [int(x) for x in starts[:k]]
    d_list = [float(x) for x in days[:k]]
    p_list = [pauses_of(ps, pe, i) for i in range(k)]

    def scalar():
        return [table.deadline_days_ts(s_list[i], d_list[i], p_list[i]) for i in range(k)]

    scalar_s, scalar_out = timed(scalar, args.repeat)
    if scalar_out != [int(x) for x in deadlines[:k]]:
        sys.exit("scalar and batch paths disagree")

    is_working = chinese_is_working()
    m = min(k, 5000)  # the baselines are slow; a smaller sample keeps the run short

    def loop():
        return [day_loop_with_pauses(s_list[i], d_list[i], p_list[i], is_working) for i in range(m)]

    loop_s, loop_out = timed(loop, max(1, args.repeat // 2))
    if loop_out != scalar_out[:m]:
        bad = next(i for i in range(m) if loop_out[i] != scalar_out[i])
        sys.exit(f"day loop and engine disagree on clock {bad}: {loop_out[bad]} != {scalar_out[bad]}")

    import holidays

    china = holidays.China(years=range(2004, 2027))
    start_dates = [datetime.fromtimestamp(s, SHANGHAI).date() for s in s_list[:m]]
    whole_days = [max(1, math.ceil(d)) for d in d_list[:m]]

    def holidays_loop():
        return [china.get_nth_working_day(start_dates[i], whole_days[i]) for i in range(m)]

    holidays_s, _ = timed(holidays_loop, max(1, args.repeat // 2))

    result = {
        "batch_per_s": round(args.n / batch_s),
        "scalar_per_s": round(k / scalar_s),
        "day_loop_per_s": round(m / loop_s),
        "holidays_per_s": round(m / holidays_s),
    }
    result["batch_vs_holidays"] = round(result["batch_per_s"] / result["holidays_per_s"], 1)
    result["scalar_vs_day_loop"] = round(result["scalar_per_s"] / result["day_loop_per_s"], 1)
    print(f"clocks: {args.n:,} batch, {k:,} scalar, {m:,} day-loop and holidays (same clocks; results checked equal)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
