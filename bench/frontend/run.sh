#!/usr/bin/env bash
# Front-end throughput: `scopec check` next to `python3 -m py_compile` on the same files.
# Usage: bench/frontend/run.sh [build/bin/scopec]
# Medians of 5 runs (wall clock); peak RSS is the largest of the 5 (from /usr/bin/time).
# py_compile only parses and compiles to bytecode; scopec check also runs the
# program (variables, scopes, shapes), so it does strictly more work.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scopec=${1:-$here/../../build/bin/scopec}
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$here/gen.py" "$dir"
mkdir "$dir/corpus-py"
for f in "$dir"/corpus/*.scope; do cp "$f" "$dir/corpus-py/$(basename "${f%.scope}").py"; done
for f in lines100k vars100k; do cp "$dir/$f.scope" "$dir/$f.py"; done

measure() { # prints "median_seconds peak_kib"
  local times=() peak=0
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$dir/t" "$@" >/dev/null 2>&1 || true
    read -r t m < "$dir/t"
    times+=("$t"); (( m > peak )) && peak=$m
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | tr '\n' ' '
  echo "$peak"
}

row() { # name files lines seconds peak_kib
  python3 - "$@" <<'PY'
import sys
name, files, lines, t, kib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
t = max(t, 0.01)
print(f"| {name} | {files} | {lines} | {t:.2f} | {files / t:,.1f} | {lines / t:,.0f} | {kib // 1024} |")
PY
}

cores=$(nproc)
echo "| run | files | lines | seconds | files/s | lines/s | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|"
clines=$(cat "$dir"/corpus/*.scope | wc -l)
read -r t m < <(measure "$scopec" check --quiet -j 1 "$dir/corpus");      row "corpus: scopec check -j 1" 1000 "$clines" "$t" "$m"
read -r t m < <(measure "$scopec" check --quiet -j "$cores" "$dir/corpus"); row "corpus: scopec check -j $cores" 1000 "$clines" "$t" "$m"
read -r t m < <(measure python3 -m py_compile "$dir"/corpus-py/*.py);     row "corpus: python3 -m py_compile" 1000 "$clines" "$t" "$m"
for f in lines100k vars100k; do
  lines=$(wc -l < "$dir/$f.scope")
  read -r t m < <(measure "$scopec" check --quiet "$dir/$f.scope");      row "$f: scopec check" 1 "$lines" "$t" "$m"
  read -r t m < <(measure python3 -m py_compile "$dir/$f.py");            row "$f: python3 -m py_compile" 1 "$lines" "$t" "$m"
done
