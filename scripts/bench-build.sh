#!/usr/bin/env bash
# Wall time of `cgotrace build` against plain `go build` on a successful
# cgo module with a warm build cache (issue: at most 1.10x), and the cost
# of the diagnosis after a failed build (library-dev-missing: the linker
# re-run with -Wl,--verbose), measured with hyperfine.
# Usage: scripts/bench-build.sh [RUNS]
set -euo pipefail
runs="${1:-30}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && go build -o "$tmp/cgotrace" ./cmd/cgotrace)

# A healthy cgo module (pkg-config sqlite3 and a C file), built once to warm
# the cache. Each command writes its own output file, so each stays up to
# date with its own flags, as it would for a user who always uses it.
mkdir -p "$tmp/ok"
cp -r "$repo/testdata/scenarios/healthy-pkg-config-sqlite3/." "$tmp/ok/"
cd "$tmp/ok"
go build -o plain . && "$tmp/cgotrace" build -o traced . >/dev/null
# Each command twice, alternating (A B B A), runs pooled: hyperfine runs
# the commands one after the other, and on this 2-core machine the order
# alone moves a ~50 ms figure by several percent.
hyperfine -N --warmup 5 --runs "$runs" --export-json "$tmp/ok.json" \
  'go build -o plain .' "$tmp/cgotrace build -o traced ." \
  "$tmp/cgotrace build -o traced ." 'go build -o plain .'
python3 - "$tmp/ok.json" <<'PY'
import json, sys, statistics
times = {}
for x in json.load(open(sys.argv[1]))["results"]:
    times.setdefault("cgotrace" if "cgotrace" in x["command"] else "go", []).extend(x["times"])
g, c = statistics.median(times["go"]), statistics.median(times["cgotrace"])
print("warm success: go build %.1f ms, cgotrace build %.1f ms (medians of %d runs each), ratio %.3f" % (g*1e3, c*1e3, len(times["go"]), c/g))
PY

# A failed build: library-dev-missing. --no-rerun skips the linker re-run
# and the forensic rebuild; the difference is the diagnosis' extra cost.
mkdir -p "$tmp/fail"
cp -r "$repo/testdata/scenarios/library-dev-missing-basic/." "$tmp/fail/"
cd "$tmp/fail" && bash setup.sh
hyperfine -N -i --warmup 2 --runs "$((runs/3+3))" --export-json "$tmp/fail.json" \
  'go build -o app .' "$tmp/cgotrace build --no-rerun -o app ." "$tmp/cgotrace build -o app ."
python3 - "$tmp/fail.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
m = [x["median"] for x in r]
print("failed build: go build %.0f ms, cgotrace --no-rerun %.0f ms, cgotrace %.0f ms (diagnosis adds %.0f ms over go build)" % (m[0]*1e3, m[1]*1e3, m[2]*1e3, (m[2]-m[0])*1e3))
PY
