#!/usr/bin/env bash
# scopec as a column of the peer benchmarks (../shared/bench/peers): compiles the three
# workloads with `scopec build --weights-at-runtime`, links them into libscopec_peer.so
# (the harness's plug-in ABI) and runs the peers harness with it.
#   usage: bench/peers/run.sh [OUT_JSON]   (env: SCOPEC=build/bin/scopec, PEERS=../shared/bench/peers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scopec=${SCOPEC:-$root/build/bin/scopec}
peers=${PEERS:-$root/../shared/bench/peers}
out=${1:-/tmp/peers-scopec.json}
build=${SCOPEC_PEER_BUILD:-/tmp/scopec-peer}
[ -x "$scopec" ] || { echo "build scopec first (make build)"; exit 1; }
[ -d "$peers" ] || { echo "no peers harness at $peers"; exit 1; }
mkdir -p "$build"
for m in mlp image_filter discriminator; do
  "$scopec" build "$here/models/$m.scope" -o "$build/$m" --prefix "$m" --weights-at-runtime -O3
done
c++ -O2 -shared -fPIC -o "$build/libscopec_peer.so" "$here/scopec_peer.cpp" -I"$build" \
  "$build/mlp.o" "$build/image_filter.o" "$build/discriminator.o" -lm
PEERS_EXTRA_SO="scopec=$build/libscopec_peer.so" bash "$peers/run.sh" "$out"
