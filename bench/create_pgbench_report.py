#!/usr/bin/env python3
"""create_pgbench_report.py RESULTS_DIR LOADAVG < runs (JSON): create_pgbench.{json,md}: each
round's transactions per second before and after the counters, at 2 and 64 clients, the ratio
after/before per round and over the rounds, and PostgreSQL's CPU per transaction."""
import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import revision  # noqa: E402  (one definition for every report)


results, load = Path(sys.argv[1]), sys.argv[2]
runs = json.load(sys.stdin)
for run in runs:
    run["cpu_us_per_tx"] = round(run["ticks"] * 1e6 / run["ticks_per_s"] / (run["tps"] * run["seconds"]))
rows = []
for clients in sorted({run["clients"] for run in runs}):
    pick = lambda schema: [r for r in runs if r["clients"] == clients and r["schema"] == schema]  # noqa: E731
    before, after = pick("before"), pick("after")
    rows.append({
        "clients": clients,
        "before_tps": [round(r["tps"]) for r in before],
        "after_tps": [round(r["tps"]) for r in after],
        "round_ratios": [round(a["tps"] / b["tps"], 3) for a, b in zip(after, before)],
        "ratio": round(sum(r["tps"] for r in after) / sum(r["tps"] for r in before), 3),
        "before_cpu_us": [r["cpu_us_per_tx"] for r in before],
        "after_cpu_us": [r["cpu_us_per_tx"] for r in after],
    })
summary = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "revision": revision(),
    "load_after": load,
    "rows": rows,
}
lines = [
    f"# `bench/create_pgbench.sh` results, {summary['date']}, revision `{summary['revision']}`",
    "",
    "The create statement alone under pgbench (`-M extended`, a statement planned per execution as Spin sends it), "
    "1,000,000 todos, PostgreSQL's default durability (`fsync` and `synchronous_commit` on). Before: migrations/0001 "
    "and the create the API sent then; after: every migration and the keyless create the API sends now. "
    f"Load average after: {load}.",
    "",
    "| clients | before tps (rounds) | after tps (rounds) | after/before (rounds) | "
    "PostgreSQL CPU µs/tx before | after |",
    "|---:|---|---|---|---:|---:|",
]
for row in rows:
    lines.append(
        f"| {row['clients']} | {', '.join(map(str, row['before_tps']))} | {', '.join(map(str, row['after_tps']))} | "
        f"{row['ratio']:.2f} ({', '.join(f'{r:.2f}' for r in row['round_ratios'])}) | "
        f"{', '.join(map(str, row['before_cpu_us']))} | {', '.join(map(str, row['after_cpu_us']))} |"
    )
results.joinpath("create_pgbench.json").write_text(json.dumps(summary, indent=2) + "\n")
results.joinpath("create_pgbench.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
