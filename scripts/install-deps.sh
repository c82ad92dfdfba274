#!/usr/bin/env bash
# Installs the Debian 12 packages scopec builds and tests with, if missing.
# Idempotent: when everything is installed it only checks and returns.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build git
  antlr4 libantlr4-runtime-dev
  llvm-19-dev
  libcli11-dev nlohmann-json3-dev libzip-dev zlib1g-dev libjemalloc-dev time
  libgtest-dev
  pkg-config python3 python3-jsonschema python3-numpy python3-yaml
)
# `install-deps.sh fuzz`: also clang 19 with libFuzzer (clang 14 rejects the ANTLR 4.9 headers).
if [ "${1:-}" = fuzz ]; then
  PACKAGES+=(clang-19 libclang-rt-19-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "error: not root and no sudo; install these packages: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
