#!/usr/bin/env bash
# compare-pkgconfig.sh: compare `cgotrace pkg-config explain --format json`
# with the real pkg-config (pkgconf) for every package `pkg-config --list-all`
# lists, with and without --static, as cmd/go calls it (`MODE -- PKG`).
#
# Usage: scripts/compare-pkgconfig.sh [CGOTRACE_BINARY] [OUTDIR]
# Compares, per package and mode: the exit status, pkgconf's stdout (trailing
# blanks stripped) with cflags_text/libs_text, and the cmd/go words.
# Prints every difference and a summary; exit 0 only when all cases match.
set -u
BIN=${1:-}
OUT=${2:-./compare-pkgconfig.out}
REF=${REF:-pkg-config}
if [ -z "$BIN" ]; then
  BIN=$(mktemp -d)/cgotrace
  go build -o "$BIN" ./cmd/cgotrace || exit 2
fi
mkdir -p "$OUT"
: >"$OUT/diffs.txt"
total=0; same=0
pkgs=$($REF --list-all | awk '{print $1}' | sort -u)
for p in $pkgs; do
  for static in "" "--static"; do
    json=$("$BIN" pkg-config explain --format json $static "$p" 2>/dev/null)
    for mode in cflags libs; do
      total=$((total + 1))
      want=$($REF --$mode $static -- "$p" 2>/dev/null); wrc=$?
      want=$(printf '%s' "$want" | sed 's/[[:space:]]*$//')
      ok=$(printf '%s' "$json" | jq -r ".[0].${mode}_ok")
      got=$(printf '%s' "$json" | jq -r ".[0].${mode}_text")
      grc=1; [ "$ok" = true ] && grc=0
      [ "$grc" != 0 ] && got=""
      [ "$wrc" != 0 ] && want=""
      if [ "$wrc" = "$grc" ] && [ "$want" = "$got" ]; then
        same=$((same + 1))
      else
        printf '%s --%s %s\n  pkgconf (rc %s): %s\n  cgotrace (rc %s): %s\n' "$p" "$mode" "$static" "$wrc" "$want" "$grc" "$got" >>"$OUT/diffs.txt"
      fi
    done
  done
done
echo "packages: $(echo "$pkgs" | wc -w), cases: $total, identical: $same, different: $((total - same))" | tee "$OUT/summary.txt"
cat "$OUT/diffs.txt"
[ "$same" = "$total" ]
