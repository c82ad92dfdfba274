#!/usr/bin/env bash
# Front-end throughput: `scopec check` next to `python3 -m py_compile` on the same files.
# Usage: bench/frontend/run.sh [build/bin/scopec]   (medians of 5 runs; peak RSS from /usr/bin/time)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scopec=${1:-$here/../../build/bin/scopec}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$here/gen.py" "$dir"
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

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

printf '| file | lines | scopec check (s) | peak RSS (MiB) | py_compile (s) | peak RSS (MiB) | ratio |\n|---|---|---|---|---|---|---|\n'
for f in lines100k vars100k; do
  src="$dir/$f.scope"; cp "$src" "$dir/$f.py"
  read -r st sm < <(measure "$scopec" check --quiet "$src")
  read -r pt pm < <(measure python3 -m py_compile "$dir/$f.py")
  lines=$(wc -l < "$src")
  ratio=$(python3 -c "print(f'{$st/$pt:.2f}x')" 2>/dev/null || echo "-")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$f" "$lines" "$st" "$((sm/1024))" "$pt" "$((pm/1024))" "$ratio"
done
