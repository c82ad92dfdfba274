#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 120) on a corpus seeded
# from examples/, the golden tests, tests/fuzz-regressions/ and, when
# present, ../shared/conformance. Usage: scripts/fuzz.sh BUILD_DIR [SECONDS] [TARGET...]
# Crashes, hangs (>10 s), leaks and sanitizer reports are written to
# BUILD_DIR/fuzz/findings/<target>/; copy each into
# tests/fuzz-regressions/<target>/ once fixed. Prints executions and
# coverage per target.
set -uo pipefail
BUILD=${1:?usage: scripts/fuzz.sh BUILD_DIR [SECONDS] [TARGET...]}
SECONDS_EACH=${2:-120}
shift $(( $# >= 2 ? 2 : 1 ))
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(parser frontend npy)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$BUILD/fuzz"
mkdir -p "$WORK"

seed_sources() { # $1: corpus dir
  local n=0
  while IFS= read -r -d '' f; do
    cp "$f" "$1/seed_$n"; n=$((n+1))
  done < <(find "$ROOT/examples" "$ROOT/tests/golden" "$ROOT/tests/fuzz-regressions/parser" \
              "$ROOT/tests/fuzz-regressions/frontend" "$ROOT/../shared/conformance" \
              -type f \( -name '*.scope' -o -name '*.py' -o -path '*fuzz-regressions*' \) -print0 2>/dev/null)
}

seed_npy() { # $1: corpus dir; the first byte picks .npy (even) or .npz (odd)
  cp "$ROOT"/tests/fuzz-regressions/npy/* "$1/" 2>/dev/null
  /usr/bin/python3 - "$1" <<'PY'
import io, sys, os, numpy as np
out = sys.argv[1]
arrays = [np.arange(6, dtype=np.float32).reshape(2, 3), np.array(3.5), np.zeros((0, 4), np.float64),
          np.array([True, False]), np.arange(5, dtype=np.int64), np.arange(4, dtype=np.int32).reshape(2, 2, 1)]
for i, a in enumerate(arrays):
    b = io.BytesIO(); np.save(b, a)
    open(os.path.join(out, f"npy_{i}"), "wb").write(b"\x00" + b.getvalue())
for i, save in enumerate([np.savez, np.savez_compressed]):
    b = io.BytesIO(); save(b, x=arrays[0], y=arrays[4])
    open(os.path.join(out, f"npz_{i}"), "wb").write(b"\x01" + b.getvalue())
PY
}

status=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/bin/fuzz_$t"
  [ -x "$bin" ] || { echo "missing $bin (make fuzz-build)" >&2; exit 2; }
  corpus="$WORK/corpus/$t"; findings="$WORK/findings/$t"
  mkdir -p "$corpus" "$findings"
  if [ -z "$(ls -A "$corpus")" ]; then
    if [ "$t" = npy ]; then seed_npy "$corpus"; else seed_sources "$corpus"; fi
  fi
  dict=()
  [ "$t" != npy ] && dict=(-dict="$ROOT/fuzz/scope.dict")
  echo "== fuzz_$t: ${SECONDS_EACH}s, corpus $(ls "$corpus" | wc -l) files"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin" "$corpus" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -max_len=8192 -artifact_prefix="$findings/" -print_final_stats=1 >"$WORK/$t.log" 2>&1
  rc=$?
  grep -E "^#[0-9]+.*(DONE|pulse)" "$WORK/$t.log" | tail -1
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$WORK/$t.log"
  if [ $rc -ne 0 ]; then
    echo "fuzz_$t: FINDING (exit $rc), see $WORK/$t.log and $findings/"; status=1
    grep -m3 -E "ERROR|SUMMARY|runtime error" "$WORK/$t.log"
  fi
done
exit $status
