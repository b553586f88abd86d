#!/usr/bin/env bash
# Cost of the recording pkg-config shim per call (issue 15: at most 1 ms on
# top of pkg-config itself): the same `pkg-config --cflags -- zlib` call,
# plain and through the shim (cgotrace with CGOTRACE_SHIM_REAL set, as
# `cgotrace build` runs it), side by side with hyperfine, then in
# interleaved rounds (scripts/paired.py) so that the machine's load hits
# both alike. The shim is built both ways: static (CGO_ENABLED=0, as the
# other benchmarks build it) and with cgo (the default `go build`, which
# links net's cgo resolver and so starts through the dynamic loader).
# Usage: scripts/bench-shim.sh [RUNS]
set -euo pipefail
runs="${1:-200}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/cgotrace-static" ./cmd/cgotrace)
(cd "$repo" && go build -o "$tmp/cgotrace-cgo" ./cmd/cgotrace)
real="$(command -v pkg-config)"
export CGOTRACE_SHIM_REAL="$real" CGOTRACE_SHIM_RECORD="$tmp/record.jsonl"
pkg=zlib
"$real" --exists "$pkg" || { echo "bench-shim: $pkg.pc not found (scripts/setup.sh installs zlib1g-dev)" >&2; exit 1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 20 --runs "$runs" \
  "$real --cflags -- $pkg" \
  "$tmp/cgotrace-static --cflags -- $pkg" \
  "$tmp/cgotrace-cgo --cflags -- $pkg"
echo "interleaved rounds (paired.py splits commands at --, so the calls drop it):"
python3 "$repo/scripts/paired.py" --runs "$runs" --warmup 20 \
  -- "$real" --cflags "$pkg" \
  -- "$tmp/cgotrace-static" --cflags "$pkg" \
  -- "$tmp/cgotrace-cgo" --cflags "$pkg"
echo "calls recorded: $(wc -l < "$CGOTRACE_SHIM_RECORD")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
