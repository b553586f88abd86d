#!/usr/bin/env bash
# Cost of the recording pkg-config shim per call (issue 15): the same
# `pkg-config --cflags zlib` call, plain and through each shim, as
# `cgotrace build` runs them (CGOTRACE_SHIM_REAL and CGOTRACE_SHIM_RECORD
# set, stdout and stderr one file as under cmd/go), in interleaved rounds
# (scripts/paired.py) so that the machine's load hits all alike, then side
# by side with hyperfine when it is installed. The shims:
#
#   c-musl     pkgconfig/shim.c.in built as pkgconfig.CShim builds it
#              with musl-gcc (-O2 -s -static), its first choice (skipped
#              when musl-gcc is not installed)
#   c-static   the same with cc (glibc, static), its choice without musl
#   c-dynamic  the same without -static (glibc without libc.a)
#   go-mini    a Go binary holding only cmd/cgotrace/internal/pcshim (the
#              Go shim's start-up path), built with an overlay: the cost
#              of a separate small Go shim
#   go-static  cgotrace itself (CGO_ENABLED=0), the Go shim: what cgotrace
#              build falls back to (CGOTRACE_SHIM=go, no host compiler)
#   go-cgo     cgotrace built with cgo (the default go build), started
#              through the dynamic loader
#
# Usage: scripts/bench-shim.sh [RUNS]
set -euo pipefail
runs="${1:-200}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cc="${CGOTRACE_HOST_CC:-cc}"
cp "$repo/pkgconfig/shim.c.in" "$tmp/shim.c"
$cc -O2 -s -static -o "$tmp/c-static" "$tmp/shim.c"
shims="c-static c-dynamic go-mini go-static go-cgo"
musl=()
if command -v musl-gcc >/dev/null; then
  musl-gcc -O2 -s -static -o "$tmp/c-musl" "$tmp/shim.c"
  shims="c-musl $shims"
  musl=(-- "$tmp/c-musl" --cflags zlib)
fi
$cc -O2 -s -o "$tmp/c-dynamic" "$tmp/shim.c"
mkdir -p "$tmp/mini"
printf 'package main\n\nimport _ "github.com/cgotrace/cgotrace/cmd/cgotrace/internal/pcshim"\n\nfunc main() {}\n' >"$tmp/mini/main.go"
printf '{"Replace":{"%s":"%s"}}\n' "$repo/cmd/cgotrace/internal/benchmini/main.go" "$tmp/mini/main.go" >"$tmp/overlay.json"
(cd "$repo" && CGO_ENABLED=0 go build -overlay "$tmp/overlay.json" -o "$tmp/go-mini" ./cmd/cgotrace/internal/benchmini)
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/go-static" ./cmd/cgotrace)
(cd "$repo" && go build -o "$tmp/go-cgo" ./cmd/cgotrace)
real="$(command -v pkg-config)"
export CGOTRACE_SHIM_REAL="$real" CGOTRACE_SHIM_RECORD="$tmp/record.jsonl" CGOTRACE_SHIM_FALLBACK="$tmp/go-static"
pkg=zlib
"$real" --exists "$pkg" || { echo "bench-shim: $pkg.pc not found (scripts/setup.sh installs zlib1g-dev)" >&2; exit 1; }
# each shim must pass the call through unchanged
want="$("$real" --cflags "$pkg" 2>&1)"
for s in $shims; do
  got="$("$tmp/$s" --cflags "$pkg" 2>&1)" || { echo "bench-shim: $s failed" >&2; exit 1; }
  [ "$got" = "$want" ] || { echo "bench-shim: $s printed '$got', pkg-config '$want'" >&2; exit 1; }
done
(cd "$tmp" && ls -l $shims) | awk '{print "size", $5, $NF}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "interleaved rounds (ratio: per-round median against pkg-config alone):"
python3 "$repo/scripts/paired.py" --runs "$runs" --warmup 20 \
  -- "$real" --cflags "$pkg" \
  "${musl[@]}" \
  -- "$tmp/c-static" --cflags "$pkg" \
  -- "$tmp/c-dynamic" --cflags "$pkg" \
  -- "$tmp/go-mini" --cflags "$pkg" \
  -- "$tmp/go-static" --cflags "$pkg" \
  -- "$tmp/go-cgo" --cflags "$pkg"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null; then
  hm=()
  [ -x "$tmp/c-musl" ] && hm=("$tmp/c-musl --cflags $pkg")
  hyperfine -N --warmup 20 --runs "$runs" \
    "$real --cflags $pkg" \
    "${hm[@]}" \
    "$tmp/c-static --cflags $pkg" \
    "$tmp/c-dynamic --cflags $pkg" \
    "$tmp/go-mini --cflags $pkg" \
    "$tmp/go-static --cflags $pkg"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo "calls recorded: $(wc -l <"$CGOTRACE_SHIM_RECORD")"
