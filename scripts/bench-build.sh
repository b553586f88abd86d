#!/usr/bin/env bash
# Wall time of `cgotrace build` against plain `go build` on a successful
# cgo module with a warm build cache (issue: at most 1.10x), and the cost
# of the diagnosis after a failed build (library-dev-missing: the linker
# re-run with -Wl,--verbose), measured in interleaved rounds
# (scripts/paired.py), with hyperfine, and phase by phase (cgotrace -v).
# Usage: scripts/bench-build.sh [RUNS]
set -euo pipefail
runs="${1:-30}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/cgotrace" ./cmd/cgotrace)

# A healthy cgo module (pkg-config sqlite3 and a C file), built once to warm
# the cache. Each command writes its own output file, so each stays up to
# date with its own flags, as it would for a user who always uses it.
mkdir -p "$tmp/ok"
cp -r "$repo/testdata/scenarios/healthy-pkg-config-sqlite3/." "$tmp/ok/"
cd "$tmp/ok"
go build -o plain . && "$tmp/cgotrace" build -o traced . >/dev/null
# Paired: each round runs both commands (order alternating), and the ratio
# is the median of the per-round ratios (scripts/paired.py). Each command
# writes its own output file, so each stays up to date with its own flags.
echo "warm success (interleaved rounds):"
python3 "$repo/scripts/paired.py" --runs "$runs" --warmup 5 \
  -- go build -o plain . \
  -- "$tmp/cgotrace" build -o traced .

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

# The same failed build, phase by phase (cgotrace -v logs each phase's wall
# time): the forensic rebuild (go build again with a throwaway -D in
# CGO_CFLAGS, because the cgo package came from the cache) and everything
# else the diagnosis does.
for i in $(seq "$((runs/3+3))"); do
  "$tmp/cgotrace" -v --log-format json build -o app . 2>&1 >/dev/null | grep '"elapsed"' || true
done >"$tmp/phases.jsonl"
python3 - "$tmp/phases.jsonl" <<'PY'
import json, sys, statistics
runs, cur = [], {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    key = e.get("phase") or e["msg"]
    cur[key] = e["elapsed"] / 1e6
    if e["msg"] == "report ready":
        runs.append(cur)
        cur = {}
med = lambda k: statistics.median(r.get(k, 0) for r in runs)
build, forensic, total = med("go build finished"), med("forensic rebuild"), med("report ready")
other = statistics.median(r["report ready"] - r["go build finished"] - r.get("forensic rebuild", 0) for r in runs)
print("failed build, phases (medians of %d runs): the user's go build %.0f ms, forensic rebuild %.0f ms, "
      "the rest of the diagnosis %.0f ms (go list %.0f ms, rules/probes/inspection %.0f ms); total %.0f ms"
      % (len(runs), build, forensic, other, med("go list and #cgo lines"), med("rules, probes, inspection"), total))
PY
