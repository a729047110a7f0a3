#!/usr/bin/env python3
"""report.py RAW_DIR RESULTS_DIR RUNTIME...: turns the raw files of `make bench` (RAW_DIR/<runtime>/)
into results.json, results.md and throughput.png (throughput against concurrency per endpoint),
the runtimes side by side; targets and floor ratios are read on the first runtime (Spin)."""
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

# id -> what is measured, in the order the tables show them.
ENDPOINTS = {
    "page": "GET / (the page)",
    "daily_photo_304": "GET /api/daily_photo, matching If-None-Match (304)",
    "readyz": "GET /readyz (no database: a component and nothing else)",
    "todos_list_one_row": "GET /api/todos?limit=1 (the list's fixed cost)",
    "todos_list": "GET /api/todos (50 rows)",
    "todos_list_304": "GET /api/todos, matching If-None-Match (304)",
    "todo_create": "POST /api/todo (random 10-letter task)",
    "todo_delete": "DELETE /api/todos/:id (each id once)",
    "floor_readyz": "floor: SELECT 1 with no code around it",
    "floor_list": "floor: the original's list statement with no code around it",
}
# Each endpoint that has a floor: the statement it stands in for, with nothing else (bench/floor).
FLOORS = {"todos_list": "floor_list"}
TARGET_CONCURRENCY = 64


def read_json(path):
    return json.loads(path.read_text()) if path.exists() else None


def load_runs(raw):
    runs = []
    for endpoint, label in ENDPOINTS.items():
        skipped = read_json(raw / f"{endpoint}.skipped.json")
        if skipped:
            runs.append({"endpoint": endpoint, "label": label, **skipped})
            continue
        for path in sorted(raw.glob(f"{endpoint}.c*.json"), key=concurrency_of):
            if path.name.endswith((".rss.json", ".cpu.json")):
                continue
            run = json.loads(path.read_text())
            errors = run["errors"]
            errors["total"] = sum(errors.values())
            rss = read_json(path.with_suffix(".rss.json")) or {}
            runs.append({
                "endpoint": endpoint,
                "label": label,
                "concurrency": concurrency_of(path),
                **run,
                "peak_rss_mib": {k.removesuffix("_kib"): round(v / 1024, 1) for k, v in rss.items()},
                **cpu_use(read_json(path.with_suffix(".cpu.json")), run["requests"]),
            })
    return runs


def concurrency_of(path):
    return int(path.name.split(".")[1].removeprefix("c"))


def cpu_use(ticks, requests):
    """CPU time each process spent per request, in ms (where the work of an endpoint goes), and
    how busy the whole machine was: near 100 % means the run was bound by the 2 cores."""
    if not ticks or not requests:
        return {"cpu_ms_per_request": {}}
    per_s = ticks.pop("ticks_per_s")
    busy, total = ticks.pop("machine_busy", None), ticks.pop("machine_total", None)
    return {
        "cpu_ms_per_request": {process: round(1000 * n / per_s / requests, 3) for process, n in ticks.items()},
        "machine_busy_percent": round(100 * busy / total) if total else None,
    }


def machine(raw):
    meminfo = Path("/proc/meminfo").read_text().split()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_total_gib": round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 2**20, 1),
        "kernel": platform.release(),
        "load_before": (raw / "load_before.txt").read_text().split()[:3],
        "load_after": Path("/proc/loadavg").read_text().split()[:3],
    }


def revision():
    """The commit measured; `-dirty` when the work tree had changes (binaries are built from it)."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty"],
                          capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def at_target(runs, endpoint):
    return next((r for r in runs if r["endpoint"] == endpoint
                 and r.get("concurrency") == TARGET_CONCURRENCY), None)


def targets(runs):
    """The issue's targets at 64 connections, each with what was measured."""
    checks = []

    def check(name, endpoint, measured_of, goal, higher_is_better=True):
        run = at_target(runs, endpoint)
        measured = measured_of(run) if run else None
        met = None if measured is None else (measured >= goal if higher_is_better else measured <= goal)
        checks.append({"target": name, "goal": goal, "measured": measured, "met": met})

    rps = lambda r: round(r["requests_per_s"])
    p99 = lambda r: round(r["latency_ms"]["p99"], 1)
    errors = lambda r: r["errors"]["total"]
    check("GET /api/todos req/s", "todos_list", rps, 1200)
    check("GET /api/todos p99 ms", "todos_list", p99, 100, higher_is_better=False)
    check("GET /api/todos errors", "todos_list", errors, 0, higher_is_better=False)
    baseline = at_target(runs, "floor_readyz")
    if baseline:
        check("GET /api/todos % of one-row query req/s", "todos_list",
              lambda r: round(100 * r["requests_per_s"] / baseline["requests_per_s"], 1), 85)
    for endpoint, floor in FLOORS.items():
        floor_run = at_target(runs, floor)
        if floor_run:
            check(f"{ENDPOINTS[endpoint]}: % of its floor's req/s", endpoint,
                  lambda r, f=floor_run: round(100 * r["requests_per_s"] / f["requests_per_s"], 1), 85)
    check("POST /api/todo req/s", "todo_create", rps, 1000)
    check("POST /api/todo p99 ms", "todo_create", p99, 150, higher_is_better=False)
    check("POST /api/todo errors", "todo_create", errors, 0, higher_is_better=False)
    check("GET /api/daily_photo (304) req/s", "daily_photo_304", rps, 3000)
    check("GET / req/s", "page", rps, 4000)
    return checks


def markdown(result):
    m, s = result["machine"], result["settings"]
    runtimes = result["runtimes"]
    servers = ", ".join(f"`{name}` ({r['server']})" for name, r in runtimes.items())
    lines = [
        f"# `make bench` results, {result['taken_at']}, revision `{result['revision']}`",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['mem_total_gib']} GiB, Linux {m['kernel']}; "
        f"load average before {' '.join(m['load_before'])}, after {' '.join(m['load_after'])}.",
        f"Runtimes: {servers}, "
        f"interleaved endpoint by endpoint; {s.get('spin') or 'no spin'}. PostgreSQL on the same machine. "
        f"Load: {s['tool']}, {s['duration']} per run, each after a 2 s warm-up at the same concurrency. "
        f"Each endpoint on a fresh stack; `GET /api/todos` listed "
        f"{', '.join(str(r['todos_listed']) for r in runtimes.values())} todos.",
        "",
        "## Side by side",
        "",
        "| endpoint | conn. | " + " | ".join(f"{name} req/s | {name} p99 ms | {name} peak RSS MiB" for name in runtimes)
        + " |",
        "|---|---:|" + "---:|" * (3 * len(runtimes)),
    ]
    first = next(iter(runtimes.values()))["runs"]
    for row in first:
        if "skipped" in row:
            continue
        cells = []
        for r in runtimes.values():
            run = next((x for x in r["runs"] if x["endpoint"] == row["endpoint"]
                        and x.get("concurrency") == row["concurrency"]), None)
            cells += ([f"{run['requests_per_s']:.0f}", f"{run['latency_ms']['p99']:.1f}",
                       str(run["peak_rss_mib"].get("app", "?"))] if run else ["—", "—", "—"])
        lines.append(f"| {row['label']} | {row['concurrency']} | " + " | ".join(cells) + " |")
    for name, r in runtimes.items():
        lines += ["", f"## {name}: every run", ""] + detail_table(r["runs"])
        lines += ["", f"### {name}: targets (at {TARGET_CONCURRENCY} connections)", "",
                  "| target | goal | measured | |", "|---|---:|---:|---|"]
        for t in r["targets"]:
            verdict = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
            measured = t["measured"] if t["measured"] is not None else "—"
            lines.append(f"| {t['target']} | {t['goal']} | {measured} | {verdict} |")
    return "\n".join(lines) + "\n"


def detail_table(runs):
    lines = ["| endpoint | conn. | req/s | p50 ms | p99 ms | errors | peak RSS app / sidecar MiB "
             "| CPU ms per request: app / PostgreSQL / sidecar | machine busy |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        if "skipped" in r:
            lines.append(f"| {r['label']} | — | skipped: {r['skipped']} | | | | | | |")
            continue
        rss, cpu = r["peak_rss_mib"], r["cpu_ms_per_request"]
        lines.append(
            f"| {r['label']} | {r['concurrency']} | {r['requests_per_s']:.0f} | {r['latency_ms']['p50']:.2f} "
            f"| {r['latency_ms']['p99']:.2f} | {r['errors']['total']} | {rss.get('app', '?')} / "
            f"{rss.get('sidecar', '?')} | {cpu.get('app', '?')} / {cpu.get('postgres', '?')} / "
            f"{cpu.get('sidecar', '?')} | {r.get('machine_busy_percent', '?')} % |")
    return lines


def plot(runtimes, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib is not installed, no plot", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    for (name, runtime), style in zip(runtimes.items(), ["-", "--", ":"]):
        for n, (endpoint, label) in enumerate(ENDPOINTS.items()):
            points = [(r["concurrency"], r["requests_per_s"]) for r in runtime["runs"]
                      if r["endpoint"] == endpoint and "skipped" not in r]
            if points:
                ax.plot(*zip(*points), style, color=f"C{n}", marker="o", label=f"{name}: {label}")
    ax.set_xscale("log", base=2)
    concurrencies = sorted({r["concurrency"] for rt in runtimes.values() for r in rt["runs"] if "concurrency" in r})
    ax.set_xticks(concurrencies, [str(c) for c in concurrencies])
    ax.set_xlabel("concurrent connections")
    ax.set_ylabel("requests/s")
    ax.set_title("Throughput against concurrency (make bench)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=5)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(raw, results, *runtime_names):
    raw, results = Path(raw), Path(results)
    results.mkdir(parents=True, exist_ok=True)
    runtimes = {}
    for name in runtime_names:
        runs = load_runs(raw / name)
        runtimes[name] = {
            "server": (read_json(raw / name / "stack.json") or {}).get("server", "?"),
            "todos_listed": read_json(raw / name / "todos_listed.txt"),
            "runs": runs,
            "targets": targets(runs),
        }
    result = {
        "taken_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(raw),
        "revision": revision(),
        "settings": json.loads((raw / "settings.json").read_text()),
        "runtimes": runtimes,
    }
    (results / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    (results / "results.md").write_text(markdown(result))
    plot(runtimes, results / "throughput.png")
    print(markdown(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
