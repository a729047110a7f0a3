#!/usr/bin/env python3
"""summary.py OUT_DIR: the final statistics of a `make loadtest` run (Locust's stats.json: its CSV
is a snapshot up to a second old), with the settings, the machine, the serving processes' peak
memory, the throughput of each whole minute (a soak's last against its first) and the todos in the
table at the end, as summary.json and summary.md in OUT_DIR."""
import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from report import machine, revision  # noqa: E402  (one description of both reports' setting)

PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}


def percentile(histogram, fraction):
    """Locust keeps response times as {rounded ms: count}; the smallest time covering fraction."""
    wanted, seen = fraction * sum(histogram.values()), 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= wanted:
            return ms
    return 0


def row(name, entries):
    histogram = {}
    for entry in entries:
        for ms, count in entry["response_times"].items():
            histogram[float(ms)] = histogram.get(float(ms), 0) + count
    requests = sum(e["num_requests"] for e in entries)
    seconds = max(e["last_request_timestamp"] for e in entries) - min(e["start_time"] for e in entries)
    return {
        "name": name,
        "requests": requests,
        "failures": sum(e["num_failures"] for e in entries),
        "requests_per_s": round(requests / seconds, 1) if seconds > 0 else 0,
        **{key: round(percentile(histogram, f)) for key, f in PERCENTILES.items()},
        "max_ms": round(max(e["max_response_time"] for e in entries)),
    }


def rows(out):
    entries = json.loads((out / "stats.json").read_text())
    return [row(f"{e['method']} {e['name']}", [e]) for e in entries] + [row("all requests", entries)]


def minutes(out):
    """Requests per second of each whole minute of the run (Locust counts requests per second)."""
    per_second = {}
    for entry in json.loads((out / "stats.json").read_text()):
        for second, count in entry["num_reqs_per_sec"].items():
            per_second[int(second)] = per_second.get(int(second), 0) + count
    if not per_second:
        return []
    start, end = min(per_second), max(per_second)
    whole = (end - start) // 60
    return [round(sum(per_second.get(start + m * 60 + s, 0) for s in range(60)) / 60, 1) for m in range(whole)]


def markdown(summary):
    m, s, rss = summary["machine"], summary["settings"], summary["peak_rss_mib"]
    lines = [
        f"# `make loadtest` result, {summary['taken_at']}, revision `{summary['revision']}`",
        "",
        f"{s['users']} users, spawn rate {s['spawn_rate']}/s, {s['duration']}, the original scenario "
        f"(page, daily image, list, create; no think time). Machine: {m['nproc']} cores ({m['cpu']}), "
        f"{m['mem_total_gib']} GiB; load average before {' '.join(m['load_before'])}.",
        f"Peak RSS: app {rss.get('app', '?')} MiB, sidecar {rss.get('sidecar', '?')} MiB.",
        "",
        "| request | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['name']} | {r['requests']} | {r['failures']} | {r['requests_per_s']} | {r['p50_ms']} "
              f"| {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} |" for r in summary["requests"]]
    by_minute = summary["requests_per_s_by_minute"]
    if len(by_minute) >= 2:
        lines += ["", f"Throughput by whole minute (req/s): {', '.join(str(rate) for rate in by_minute)}; "
                  f"the last against the first {by_minute[-1] / by_minute[0]:.2f}x, against the second "
                  f"{by_minute[-1] / by_minute[1]:.2f}x (the first includes the users' spawning)."]
    if summary.get("todos_at_end") is not None:
        lines += ["", f"Todos in the table at the end: {summary['todos_at_end']:,}."]
    return "\n".join(lines) + "\n"


def main(out):
    out = Path(out)
    rss = json.loads((out / "peak_rss.json").read_text())
    summary = {
        "taken_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "settings": {"users": int(os.environ["USERS"]), "spawn_rate": float(os.environ["SPAWN_RATE"]),
                     "duration": os.environ["DURATION"]},
        "machine": machine(out),
        "revision": revision(),
        "peak_rss_mib": {k.removesuffix("_kib"): round(v / 1024, 1) for k, v in rss.items()},
        "requests": rows(out),
        "requests_per_s_by_minute": minutes(out),
        "todos_at_end": int(todos.read_text()) if (todos := out / "todos.txt").exists() else None,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "summary.md").write_text(markdown(summary))
    print(markdown(summary))


if __name__ == "__main__":
    main(sys.argv[1])
