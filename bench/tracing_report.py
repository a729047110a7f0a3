#!/usr/bin/env python3
"""tracing_report.py RAW_DIR RESULTS_DIR ROUNDS: the tracing benchmark's raw runs (bench/tracing.sh)
as RESULTS_DIR/tracing.json and tracing.md. Per endpoint, round and mode: requests per second, p99,
the CPU time per request of Spin and of PostgreSQL, and the spans the receiver got; per mode with
export, its ratio to `off` in the same round, for throughput and for CPU per request (off / mode:
the share of requests the same CPU serves, steadier than throughput on a shared machine); and the
median ratios over the rounds."""
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import read_json  # noqa: E402  (one definition for every report)

ENDPOINTS = {"todos_list": "GET /api/todos (50 rows)", "todo_create": "POST /api/todo"}
MODES = {"on": "export on, every request sampled", "unsampled": "export on, traceparent not sampled"}
TARGET_RATIO = 0.9


def measure(raw: Path, mode: str, round_: int, endpoint: str) -> dict | None:
    base = raw / mode / f"round{round_}" / endpoint
    run, cpu = read_json(base.with_suffix(".c64.json")), read_json(base.with_suffix(".c64.cpu.json"))
    if not (run and cpu and run["requests"]):
        return None
    per_request = 1000 / cpu["ticks_per_s"] / run["requests"]
    spans = read_json(base.with_suffix(".spans.json"))
    return {
        "rps": run["requests_per_s"],
        "p99_ms": run["latency_ms"]["p99"],
        "errors": sum(run["errors"].values()),
        "spin_cpu_ms": cpu["app"] * per_request,
        "postgres_cpu_ms": cpu["postgres"] * per_request,
        "spans_per_request": spans["spans"] / run["requests"] if spans else None,
    }


def cpu_per_request(run: dict) -> float:
    return run["spin_cpu_ms"] + run["postgres_cpu_ms"]


def main(raw: Path, results: Path, rounds: int) -> None:
    rows, medians = [], []
    for endpoint, label in ENDPOINTS.items():
        ratios = {mode: {"rps": [], "cpu": []} for mode in MODES}
        for round_ in range(1, rounds + 1):
            off = measure(raw, "off", round_, endpoint)
            if off is None:
                continue
            rows.append({"endpoint": label, "round": round_, "mode": "off", **off})
            for mode in MODES:
                run = measure(raw, mode, round_, endpoint)
                if run is None:
                    continue
                rps_ratio = run["rps"] / off["rps"]
                cpu_ratio = cpu_per_request(off) / cpu_per_request(run)
                ratios[mode]["rps"].append(rps_ratio)
                ratios[mode]["cpu"].append(cpu_ratio)
                rows.append({"endpoint": label, "round": round_, "mode": mode, **run,
                             "rps_ratio": rps_ratio, "cpu_ratio": cpu_ratio})
        for mode, found in ratios.items():
            if found["rps"]:
                medians.append({"endpoint": label, "mode": mode, "rounds": len(found["rps"]),
                                "rps_ratio": statistics.median(found["rps"]),
                                "cpu_ratio": statistics.median(found["cpu"])})
    results.mkdir(parents=True, exist_ok=True)
    (results / "tracing.json").write_text(json.dumps({"runs": rows, "medians": medians}, indent=2) + "\n")
    lines = [
        "# Tracing overhead (bench/tracing.sh)",
        "",
        f"wrk, 64 connections, modes interleaved per round; target: export on >= {TARGET_RATIO} of off.",
        "",
        "| endpoint | mode | rounds | throughput on/off (median) | CPU per request off/on (median) |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {m['endpoint']} | {MODES[m['mode']]} | {m['rounds']} | {m['rps_ratio']:.3f} | {m['cpu_ratio']:.3f} |"
              for m in medians]
    lines += [
        "",
        "| endpoint | round | mode | req/s | p99 ms | errors | Spin CPU ms/req | PostgreSQL CPU ms/req "
        "| spans/req | req/s vs off | CPU vs off |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        spans = "" if row["spans_per_request"] is None else f"{row['spans_per_request']:.2f}"
        versus = "" if row["mode"] == "off" else f"{row['rps_ratio']:.3f} | {row['cpu_ratio']:.3f}"
        versus = versus or " | "
        lines.append(
            f"| {row['endpoint']} | {row['round']} | {row['mode']} | {row['rps']:.0f} | {row['p99_ms']:.1f} | "
            f"{row['errors']} | {row['spin_cpu_ms']:.3f} | {row['postgres_cpu_ms']:.3f} | {spans} | {versus} |"
        )
    (results / "tracing.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
