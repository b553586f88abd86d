#!/usr/bin/env bash
# Wall time of `cgotrace build` against plain `go build` on a successful
# cgo module with a warm build cache (issue: at most 1.10x), and on failed
# builds whose failing step is in go's log (issue 13: at most 1.2x): a
# missing .pc, header, -l library, development link, an undefined symbol;
# measured in interleaved rounds (scripts/paired.py), and phase by phase
# (cgotrace -v).
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

# Failed builds whose failing step is in go's own log (the target: at
# most 1.2x go build), one per kind: a missing .pc, a missing header, a
# missing -l library, a library without its development link, an
# undefined symbol. Each module is built once first, so that its
# packages that do build come from the cache, as for a user who runs it
# again; then go build and cgotrace build in interleaved rounds.
for kind in pkg-config-package-not-found-basic header-not-found-basic library-not-found-basic \
            library-dev-missing-basic undefined-symbol-basic; do
  mkdir -p "$tmp/$kind"
  cp -r "$repo/testdata/scenarios/$kind/." "$tmp/$kind/"
  cd "$tmp/$kind"
  if [ -f setup.sh ]; then bash setup.sh >/dev/null; fi
  go build -o app . >/dev/null 2>&1 || true
  echo "failed build, $kind (interleaved rounds, load $(cut -d' ' -f1-3 /proc/loadavg)):"
  python3 "$repo/scripts/paired.py" --runs "$runs" --warmup 3 --ok-exit \
    -- go build -o app . \
    -- "$tmp/cgotrace" build -o app .
done

# The last failed build, phase by phase (cgotrace -v logs each phase's
# wall time): go build itself, a forensic rebuild (only when the log
# lacks the failed step; -v says why), and the rest of the diagnosis.
cd "$tmp/library-dev-missing-basic"
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
print("library-dev-missing, phases (medians of %d runs): the user's go build %.0f ms, forensic rebuild %.0f ms, "
      "the rest of the diagnosis %.0f ms (waiting for go list %.0f ms, rules/probes %.0f ms); total %.0f ms"
      % (len(runs), build, forensic, other, med("go list and #cgo lines"), med("rules, probes, inspection"), total))
PY
