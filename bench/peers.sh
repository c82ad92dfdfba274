#!/usr/bin/env bash
# The speed benchmark of issue 6: builds scopec, runs the peers harness with scopec as the
# column `scopec` (bench/peers/run.sh), writes the harness JSON to OUT.json and prints the
# table with scopec's latency over the best peer's per row (medians of the harness's runs).
#   usage: bench/peers.sh OUT.json        env: PEERS_DIR (another copy of the harness),
#          PEERS_THREADS / PEERS_ONLY / PEERS_WORKLOADS / ... as the harness reads them.
# OpenBLAS-based peers are timed without OPENBLAS_CORETYPE (the harness's own choice).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:?usage: bench/peers.sh OUT.json}
cmake --build "$root/build" -j 2 >/dev/null
# A peer that fails on a workload (the harness's torch on asymmetric SAME padding) makes the
# harness exit non-zero: the table of what was measured is still printed, then that status.
rc=0
env -u OPENBLAS_CORETYPE bash "$here/peers/run.sh" "$out" || rc=$?
[ -s "$out" ] || exit "$rc"
python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = {}
for r in d["records"]:
    if r.get("workload") is None or not r.get("verified", False) or r.get("median_us") is None:
        continue
    rows.setdefault((r["workload"], r["batch"], r["threads"]), {})[r["peer"]] = r["median_us"]
print()
print("| workload | N | T | scopec µs | best peer | its µs | scopec / best |")
print("|---|--:|--:|--:|---|--:|--:|")
for (w, n, t), peers in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
    if "scopec" not in peers:
        continue
    others = {p: v for p, v in peers.items() if p != "scopec"}
    if not others:
        continue
    best = min(others, key=others.get)
    print(f"| {w} | {n} | {t} | {peers['scopec']:.3g} | {best} | {others[best]:.3g} | {peers['scopec'] / others[best]:.2f} |")
PY
exit "$rc"
