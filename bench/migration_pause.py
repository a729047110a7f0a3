#!/usr/bin/env python3
"""migration_pause.py STARTED ENDED < pgbench transaction log: the migration's wall time, and the
slowest insert that ran while it did (how long writes waited) beside the inserts' p99 outside it."""

import json
import sys

started, ended = float(sys.argv[1]), float(sys.argv[2])
during, outside = [], []
for line in sys.stdin:
    # client_id transaction_no latency_us script_no epoch_s epoch_us: the time the insert ended.
    fields = line.split()
    latency_ms, end = int(fields[2]) / 1000, int(fields[4]) + int(fields[5]) / 1e6
    (during if started <= end and end - latency_ms / 1000 <= ended else outside).append(latency_ms)
outside.sort()
print(
    json.dumps(
        {
            "migration_s": round(ended - started, 3),
            "inserts_during": len(during),
            "slowest_insert_during_ms": round(max(during, default=0), 1),
            "inserts_outside": len(outside),
            "p99_insert_outside_ms": round(outside[int(len(outside) * 0.99)] if outside else 0, 1),
        }
    )
)
