#!/usr/bin/env bash
# Runs cgotrace's main job on the example that ships with the repo: a copy
# of testdata/example, whose C library is installed as libgizmo.so.1 only
# (no libgizmo.so development link), is built with `cgotrace build`.
# Everything happens in a temporary directory; nothing in the checkout
# changes. Exit status: cgotrace's, which is go build's (1 here).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$repo/testdata/example" "$tmp/demo"
mkdir -p "$tmp/demo/lib"
gcc -shared -fPIC -Wl,-soname,libgizmo.so.1 -o "$tmp/demo/lib/libgizmo.so.1" "$tmp/demo/csrc/gizmo.c"
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/cgotrace" ./cmd/cgotrace)
cd "$tmp/demo"
echo "\$ cgotrace build -o demo ." >&2
"$tmp/cgotrace" build -o demo . "$@"
