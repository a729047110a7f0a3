#!/usr/bin/env python3
"""scale_report.py RAW_DIR RESULTS_DIR: turns the raw files of `make bench-scale` into
scale.json and scale.md: each endpoint's throughput at each size with its ratio to 1,000 todos
(each round's ratio, sizes measured back to back, and over all rounds), the list against its floor
and its 304, the create with the counters against it without them, the counts check and the
online migration."""

import datetime
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import revision  # noqa: E402  (one definition for every report)

ENDPOINTS = {
    "list": "GET /api/todos (50 of all)",
    "list_304": "GET /api/todos, matching If-None-Match (304)",
    "list_done": "GET /api/todos?done=true&limit=10 (10 of the 1 % done)",
    "create": "POST /api/todo",
}
SIZES = [1000, 100000, 1000000]
TARGET = 0.9


def runs(raw, name, size):
    """Each round's wrk summary, with `cpu_us`: app and PostgreSQL CPU microseconds per request."""
    found = sorted(raw.glob(f"{name}.{size}.r*.json"), key=lambda path: int(path.stem.rsplit(".r", 1)[1]))
    measured = []
    for path in found:
        run = json.loads(path.read_text())
        cpu_path = path.with_suffix(".cpu")
        if cpu_path.exists() and run["requests"]:
            cpu = json.loads(cpu_path.read_text())
            run["cpu_us"] = (cpu["app"] + cpu["postgres"]) * 1e6 / cpu["ticks_per_s"] / run["requests"]
        measured.append(run)
    return measured


def mean(values):
    return sum(values) / len(values) if values else 0.0


def main(raw, results):
    raw, results = Path(raw), Path(results)
    table = {}
    for name in ENDPOINTS:
        table[name] = {}
        for size in SIZES:
            measured = runs(raw, name, size)
            table[name][size] = {
                "requests_per_s": [run["requests_per_s"] for run in measured],
                "p99_ms": [run["latency_ms"]["p99"] for run in measured],
                "errors": sum(sum(run["errors"].values()) for run in measured),
                "cpu_us_per_request": [round(run.get("cpu_us", 0)) for run in measured],
            }
        base = table[name][1000]["requests_per_s"]
        for size in SIZES:
            row = table[name][size]
            row["mean_requests_per_s"] = round(mean(row["requests_per_s"]), 1)
            row["round_ratios"] = [round(a / b, 3) for a, b in zip(row["requests_per_s"], base) if b]
            row["ratio_to_1000"] = round(mean(row["requests_per_s"]) / mean(base), 3) if base else None
            base_cpu = mean(table[name][1000]["cpu_us_per_request"])
            row["cpu_ratio_to_1000"] = round(mean(row["cpu_us_per_request"]) / base_cpu, 3) if base_cpu else None
    floor_runs = runs(raw, "floor_list", 1000)
    floor = [run["requests_per_s"] for run in floor_runs]
    floor_cpu = [round(run.get("cpu_us", 0)) for run in floor_runs]
    list_1000 = table["list"][1000]["requests_per_s"]
    floor_ratios = [round(a / b, 3) for a, b in zip(list_1000, floor)]
    uncounted = [run["requests_per_s"] for run in runs(raw, "create_uncounted", 1000000)]
    counted = table["create"][1000000]["requests_per_s"]
    counts = [json.loads(path.read_text()) for path in sorted(raw.glob("counts.*.json"))]
    migration = json.loads((raw / "migration.json").read_text())
    summary = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "revision": revision(),
        "spin": (raw / "spin.txt").read_text().strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_before": (raw / "load_before.txt").read_text().strip(),
        "load_after": (raw / "load_after.txt").read_text().strip(),
        "endpoints": table,
        "floor_list_1000": {
            "requests_per_s": floor,
            "list_over_floor": floor_ratios,
            "cpu_us_per_request": floor_cpu,
            "mean_list_over_floor": round(mean(list_1000) / mean(floor), 3) if floor else None,
        },
        "create_without_counters_1000000": {
            "requests_per_s": uncounted,
            "with_over_without": [round(a / b, 3) for a, b in zip(counted, uncounted)],
            "mean_with_over_without": round(mean(counted) / mean(uncounted), 3) if uncounted else None,
        },
        "list_304_over_list": {
            size: round(
                mean(table["list_304"][size]["requests_per_s"]) / mean(table["list"][size]["requests_per_s"]), 3
            )
            for size in SIZES
            if table["list"][size]["requests_per_s"]
        },
        "counts": counts,
        "migration": migration,
    }
    results.mkdir(parents=True, exist_ok=True)
    (results / "scale.json").write_text(json.dumps(summary, indent=2) + "\n")
    (results / "scale.md").write_text(markdown(summary))
    print(markdown(summary))


def ratio_text(ratio):
    return "–" if ratio is None else f"{ratio:.2f}"


def markdown(s):
    rounds = len(s["floor_list_1000"]["requests_per_s"])
    lines = [
        f"# `make bench-scale` results, {s['date']}, revision `{s['revision']}`",
        "",
        f"Machine: {s['machine']}; load average before {s['load_before']}, after {s['load_after']}. {s['spin']}; "
        f"PostgreSQL on the same machine, one database per size (one todo in a hundred done), one `spin up` each. "
        f"wrk, 1 thread, 64 connections, {rounds} rounds; in each round every endpoint at the three sizes back to back "
        "(a ratio compares runs seconds apart). Req/s per round, then the mean; "
        "ratio: the mean over the 1,000-todo mean "
        "(per round in brackets). CPU µs/req: the app's and PostgreSQL's CPU time per request in each round "
        "(other load on the machine moves it less than throughput); CPU ratio: its mean over the 1,000-todo mean.",
        "",
        "| endpoint | todos | req/s per round | mean req/s | p99 ms | errors | ratio to 1,000 "
        "| CPU µs/req | CPU ratio |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in ENDPOINTS.items():
        for size in SIZES:
            row = s["endpoints"][name][size]
            per_round = ", ".join(f"{value:.0f}" for value in row["requests_per_s"])
            p99 = ", ".join(f"{value:.1f}" for value in row["p99_ms"])
            ratios = ", ".join(f"{value:.2f}" for value in row["round_ratios"])
            ratio = row["ratio_to_1000"]
            mark = "" if size == 1000 or ratio is None else (" ✓" if ratio >= TARGET else " ✗")
            cpu = ", ".join(str(value) for value in row["cpu_us_per_request"])
            lines.append(
                f"| {label} | {size:,} | {per_round} | {row['mean_requests_per_s']:.0f} | {p99} | {row['errors']} | "
                f"{ratio:.2f} ({ratios}){mark} | {cpu} | {ratio_text(row['cpu_ratio_to_1000'])} |"
            )
    f = s["floor_list_1000"]
    lines += [
        "",
        "The list at 1,000 todos against its floor (bench/floor: the original's "
        "`SELECT ... ORDER BY id DESC LIMIT 50` alone, "
        f"no counts, no validator, no code around it), run just before it in each round: floor "
        f"{', '.join(f'{v:.0f}' for v in f['requests_per_s'])} req/s, "
        f"list/floor {', '.join(f'{v:.2f}' for v in f['list_over_floor'])} "
        f"(mean {f['mean_list_over_floor']:.2f}; target {TARGET}); the floor's CPU per request "
        f"{', '.join(str(v) for v in f['cpu_us_per_request'])} µs against the list's "
        f"{', '.join(str(v) for v in s['endpoints']['list'][1000]['cpu_us_per_request'])} µs.",
        "",
        "Creates at 1,000,000 todos with the counters against the same creates with their triggers disabled, "
        "run right after them in each round: without "
        f"{', '.join(f'{v:.0f}' for v in s['create_without_counters_1000000']['requests_per_s'])} req/s, "
        f"with/without {', '.join(f'{v:.2f}' for v in s['create_without_counters_1000000']['with_over_without'])} "
        f"(mean {ratio_text(s['create_without_counters_1000000']['mean_with_over_without'])}; target {TARGET}).",
        "",
        "The list's 304 against the list: "
        + ", ".join(f"{size:,} todos {ratio:.2f}x" for size, ratio in s["list_304_over_list"].items())
        + ".",
        "",
        "Counts after all runs (the list's against `count(*)`, all and done): "
        + "; ".join(f"{c['size']:,}: {c['shown']} = {c['counted']}" for c in s["counts"])
        + ".",
        "",
        "The online migration on 1,000,000 todos while 4 clients insert: {migration_s:.2f} s in all; the slowest "
        "of the {inserts_during} inserts during it took {slowest_insert_during_ms:.0f} ms (p99 of the "
        "{inserts_outside} outside it: {p99_insert_outside_ms:.1f} ms).".format(**s["migration"]),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main(*sys.argv[1:3])
