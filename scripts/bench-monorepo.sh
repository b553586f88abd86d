#!/usr/bin/env bash
# The monorepo benchmark of issue 14: a synthetic module of N packages
# (default 2000; 40 use cgo with C files, `#cgo pkg-config` answered by
# generated .pc files, static libraries made with gcc and ar), written by
# internal/monorepo (`go run ./internal/monorepo/cmd/gen-monorepo -h`).
# Measured side by side in interleaved rounds (scripts/paired.py: medians,
# the ratio is the median of the per-round ratios):
#
#   1. cold cache: `go build ./...` vs `cgotrace build ./...`, each run with
#      a fresh empty GOCACHE (the standard library is compiled too);
#   2. warm cache: the same, after one build of each;
#   3. `cgotrace analyze` (text and --format json) of the `go build -x` log
#      of a cold build, and of the -json -x log `cgotrace build` saves, with
#      MB/s;
#   4. peak RSS: paired.py's (wait4's ru_maxrss, what /usr/bin/time -v
#      prints: the largest single process of the tree, so for a build the
#      largest of go, compile, link, gcc and cgotrace; for analyze, which
#      runs nothing, its own), and the command's own peak during a build
#      (paired.py --hwm: VmHWM polled every 10 ms, a lower bound);
#   5. the broken variant (one cgo package deep in the graph without its
#      .pc file, or BREAK=header|lib), on the warm cache: the root cause
#      cgotrace names against what the generator broke, the size of every
#      artifact (--report-dir contents, --format json), and the time of
#      the failed build against go build's.
#
# Usage: scripts/bench-monorepo.sh [N] [RUNS] [COLD_RUNS]
#   N packages (2000), RUNS warm rounds (10), COLD_RUNS cold rounds (3; 0
#   skips them).
#   CGO=40 BREAK=pc KEEP=1 (keep the temporary directory) in the environment.
# Needs go, gcc, ar, pkg-config, python3, /usr/bin/time.
set -euo pipefail
n="${1:-2000}"
runs="${2:-10}"
cold_runs="${3:-3}"
cgo="${CGO:-40}"
brk="${BREAK:-pc}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
paired="$repo/scripts/paired.py"
tmp="$(mktemp -d)"
if [ -z "${KEEP:-}" ]; then trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT; else echo "keeping $tmp"; fi
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/cgotrace" ./cmd/cgotrace &&
	go build -o "$tmp/gen-monorepo" ./internal/monorepo/cmd/gen-monorepo)
ct="$tmp/cgotrace"
gen() { # name [break]
	"$tmp/gen-monorepo" -o "$tmp/$1" -n "$n" -cgo "$cgo" ${2:+-break "$2"} >"$tmp/$1.vars"
}
gen healthy
gen broken "$brk"
(
	source "$tmp/healthy.vars"
	echo "module: $packages packages ($cgo_packages cgo, $levels levels of imports), $(find "$dir" -name '*.go' | wc -l) Go files, $(find "$dir" -name '*.c' | wc -l) C files"
)
source "$tmp/healthy.vars"
export PKG_CONFIG_PATH="$pkg_config_path"
cd "$dir"
echo "go: $(go version); cgotrace: $(cd "$repo" && git describe --always --dirty 2>/dev/null || echo '?')"

# One persistent cache for everything but the cold rounds, warmed by the
# cold `go build -x` whose log `cgotrace analyze` reads below.
# BENCH_GOCACHE names another (a warm standard library: a quick check of
# the script).
export GOCACHE="${BENCH_GOCACHE:-$tmp/gocache}"

if [ "$cold_runs" -gt 0 ]; then
	echo
	echo "== cold cache: a fresh GOCACHE per run ($cold_runs interleaved rounds); $(load)"
	python3 "$paired" --runs "$cold_runs" --warmup 0 --fresh-env GOCACHE --hwm \
		-- go build ./... \
		-- "$ct" build ./...
	load
fi

echo
echo "== the go build -x log of a cold build (which warms the cache); $(load)"
go build -x ./... 2>"$tmp/healthy-x.log"
echo "go build -x log: $(mb "$tmp/healthy-x.log")"

echo
echo "== warm cache ($runs interleaved rounds, 1 warm-up round); $(load)"
echo "(go build ./... links every command again: nothing caches a link whose output is discarded)"
python3 "$paired" --runs "$runs" --warmup 1 --hwm \
	-- go build ./... \
	-- "$ct" build ./...
load

echo
echo "== cgotrace analyze of the cold -x log ($runs interleaved rounds; #1 cat is the yardstick of reading the file); $(load)"
python3 "$paired" --runs "$runs" --warmup 1 \
	-- cat "$tmp/healthy-x.log" \
	-- "$ct" analyze "$tmp/healthy-x.log" \
	-- "$ct" analyze --format json "$tmp/healthy-x.log" | tee "$tmp/analyze.txt"
python3 - "$tmp/analyze.txt" "$(stat -c %s "$tmp/healthy-x.log")" <<'PY'
import re, sys
size = int(sys.argv[2])
for line in open(sys.argv[1]):
    m = re.match(r"median\s+([\d.]+) ms.*#(\d) (.*)", line)
    if m and m.group(2) != "1":
        print(f"  #{m.group(2)}: {size/1e6/(float(m.group(1))/1e3):.1f} MB/s end to end")
PY
load

echo
echo "== artifacts (healthy)"
"$ct" analyze --format json "$tmp/healthy-x.log" >"$tmp/analyze-healthy.json" || true
"$ct" build --report-dir "$tmp/rd-healthy" --format json ./... >"$tmp/healthy-build.json"
for f in "$tmp"/rd-healthy/*; do echo "  warm build --report-dir $(basename "$f"): $(mb "$f")"; done
echo "  warm build --format json: $(mb "$tmp/healthy-build.json")"
echo "  analyze --format json of the cold -x log: $(mb "$tmp/analyze-healthy.json")"

# The broken variant: for pc and header it is the healthy tree less one
# file, so it is broken in place and builds on the warm cache, as a CI
# build of a monorepo after a change would. The change must touch the
# broken package: go's cache key does not cover the .pc file (a warm
# go build ./... without mono-c1.pc runs no pkg-config and succeeds), so
# a comment is added to its Go file. lib has a library of its own and is
# built in its own tree.
echo
echo "== broken variant (BREAK=$brk); $(load)"
(
	source "$tmp/broken.vars"
	case "$brk" in
	pc | header)
		rm "$tmp/healthy/${broken_file#"$tmp/broken/"}"
		rel="${broken_package#example.com/mono/}"
		echo "// changed by the benchmark" >>"$tmp/healthy/src/$rel/${rel##*/}.go"
		dir="$tmp/healthy/src" pkg_config_path="$tmp/healthy/pc"
		;;
	esac
	cd "$dir"
	export PKG_CONFIG_PATH="$pkg_config_path"
	echo "broken: $broken_package (${broken_file##*/} removed), expected root cause $broken_code"
	set +e
	go build -x ./... 2>"$tmp/broken-x.log"
	"$ct" build --report-dir "$tmp/rd-broken" --format json ./... >"$tmp/broken-build.json" 2>/dev/null
	echo "cgotrace build exit $?"
	"$ct" analyze --format json "$tmp/broken-x.log" >"$tmp/analyze-broken.json"
	echo "cgotrace analyze exit $?"
	set -e
	python3 - "$broken_package" "$broken_code" "$tmp/broken-build.json" "$tmp/analyze-broken.json" <<'PY'
import json, sys
want_pkg, want_code = sys.argv[1], sys.argv[2]
for what, path in (("cgotrace build", sys.argv[3]), ("cgotrace analyze of the go build -x log", sys.argv[4])):
    r = json.load(open(path))
    d = r["diagnoses"][0] if r["diagnoses"] else {}
    ok = d.get("code") == want_code and d.get("package") == want_pkg
    print(f"{what}: root cause {d.get('code')} in {d.get('package')}: {'RIGHT' if ok else 'WRONG'} "
          f"({len(r['diagnoses'])} diagnoses, {len(r.get('packages', []))} packages in the report)")
PY
	echo "go build -x log: $(mb "$tmp/broken-x.log")"
	for f in "$tmp"/rd-broken/*; do echo "  --report-dir $(basename "$f"): $(mb "$f")"; done
	echo "  build --format json: $(mb "$tmp/broken-build.json")"
	echo "  analyze --format json of the -x log: $(mb "$tmp/analyze-broken.json")"
	echo
	echo "== failed build ($runs interleaved rounds; the diagnosis: re-runs, go list, probes); $(load)"
	python3 "$paired" --runs "$runs" --warmup 1 --ok-exit --hwm \
		-- go build ./... \
		-- "$ct" build ./... \
		-- "$ct" build --no-rerun ./...
)
load
