#!/bin/bash
# The benchmark's regression check (bench/ci-check): watchfor and swatchdog
# on the same small corpus in the same run; fails only on a gross
# regression (slower than swatchdog, or different match counts).
BIN=$(readlink -f "${1:?usage: t_bench_ci.sh path/to/watchfor}")
HERE=$(cd "$(dirname "$0")" && pwd)
exec python3 "$HERE/../../bench/ci-check" --watchfor "$BIN"
