#!/usr/bin/env python3
"""tracing_report.py RAW_DIR RESULTS_DIR ROUNDS: the tracing benchmark's raw runs (bench/tracing.sh)
as RESULTS_DIR/tracing.json and tracing.md: per endpoint and round, requests per second and p99
latency with export off and on, their ratio, and the median ratio over the rounds."""
import json
import statistics
import sys
from pathlib import Path

ENDPOINTS = {"todos_list": "GET /api/todos (50 rows)", "todo_create": "POST /api/todo"}
TARGET_RATIO = 0.9


def run(raw: Path, mode: str, round_: int, endpoint: str) -> dict | None:
    path = raw / mode / f"round{round_}" / f"{endpoint}.c64.json"
    return json.loads(path.read_text()) if path.exists() else None


def exported_spans(raw: Path, endpoint: str, round_: int) -> int | None:
    before, after = raw / f"{endpoint}.round{round_}.before.json", raw / f"{endpoint}.round{round_}.after.json"
    if not (before.exists() and after.exists()):
        return None
    return json.loads(after.read_text())["spans"] - json.loads(before.read_text())["spans_before"]


def main(raw: Path, results: Path, rounds: int) -> None:
    table = []
    for endpoint, label in ENDPOINTS.items():
        ratios = []
        for round_ in range(1, rounds + 1):
            off, on = run(raw, "off", round_, endpoint), run(raw, "on", round_, endpoint)
            if not (off and on):
                continue
            ratio = on["requests_per_s"] / off["requests_per_s"]
            ratios.append(ratio)
            spans = exported_spans(raw, endpoint, round_)
            table.append({
                "endpoint": endpoint, "label": label, "round": round_,
                "off_rps": round(off["requests_per_s"]), "on_rps": round(on["requests_per_s"]),
                "ratio": round(ratio, 3),
                "off_p99_ms": off["latency_ms"]["p99"], "on_p99_ms": on["latency_ms"]["p99"],
                "errors_off": sum(off["errors"].values()), "errors_on": sum(on["errors"].values()),
                "spans_exported": spans,
                "spans_per_request": round(spans / on["requests"], 2) if spans is not None and on["requests"] else None,
            })
        if ratios:
            table.append({"endpoint": endpoint, "label": label, "round": "median",
                          "ratio": round(statistics.median(ratios), 3)})
    results.mkdir(parents=True, exist_ok=True)
    (results / "tracing.json").write_text(json.dumps(table, indent=2) + "\n")
    lines = [
        "# Tracing overhead (bench/tracing.sh)",
        "",
        f"wrk, 64 connections, export off and on interleaved per round; target: on/off >= {TARGET_RATIO}.",
        "",
        "| endpoint | round | off req/s | on req/s | on/off | off p99 ms | on p99 ms | errors off/on "
        "| spans exported (per request) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in table:
        if row["round"] == "median":
            lines.append(f"| {row['label']} | **median** | | | **{row['ratio']:.3f}** | | | | |")
            continue
        spans = "" if row["spans_exported"] is None else f"{row['spans_exported']} ({row['spans_per_request']})"
        lines.append(
            f"| {row['label']} | {row['round']} | {row['off_rps']} | {row['on_rps']} | {row['ratio']:.3f} | "
            f"{row['off_p99_ms']} | {row['on_p99_ms']} | {row['errors_off']}/{row['errors_on']} | {spans} |"
        )
    (results / "tracing.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
