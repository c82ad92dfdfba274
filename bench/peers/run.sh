#!/usr/bin/env bash
# scopec as a column of the peer benchmarks (../shared/bench/peers): writes a .scope per
# workload of the harness's workloads.json (gen_models.py), compiles each with
# `scopec build --pack-weights -O3`, links them into libscopec_peer.so (the
# harness's plug-in ABI) and runs the harness with it.
#   usage: bench/peers/run.sh [OUT_JSON]   (env: SCOPEC=build/bin/scopec, PEERS_DIR=../shared/bench/peers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scopec=${SCOPEC:-$root/build/bin/scopec}
peers=${PEERS_DIR:-${PEERS:-$root/../shared/bench/peers}}
out=${1:-/tmp/peers-scopec.json}
build=${SCOPEC_PEER_BUILD:-/tmp/scopec-peer}
[ -x "$scopec" ] || { echo "build scopec first (make build)"; exit 1; }
[ -f "$peers/workloads.json" ] || { echo "no peers harness at $peers"; exit 1; }
rm -rf "$build" && mkdir -p "$build"
objs=()
for m in $(python3 "$here/gen_models.py" "$peers/workloads.json" "$build"); do
  "$scopec" build "$build/$m.scope" -o "$build/$m" --prefix "$m" --pack-weights -O3
  objs+=("$build/$m.o")
done
c++ -O2 -shared -fPIC -pthread -o "$build/libscopec_peer.so" "$here/scopec_peer.cpp" "$root/runtime/lib/ThreadPool.cpp" \
  -I"$build" -I"$root/runtime/include" "${objs[@]}" -lm
PEERS_EXTRA_SO="scopec=$build/libscopec_peer.so" bash "$peers/run.sh" "$out"
