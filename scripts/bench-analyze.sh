#!/usr/bin/env bash
# Measures `cgotrace analyze` end to end (the command a user runs) on a
# 50 MB and a 500 MB -x log made by concatenating the real logs in
# buildlog/testdata/logs (*.x.log, doubled until the size, as
# scripts/bench-buildlog.sh does), in interleaved rounds: each round runs
# every command once, in an order that rotates, so that a slow spell of
# the shared machine hits all alike. Prints per command the median wall
# time, MB/s by it, the median CPU (user+sys) and MB/s by it, and the
# median peak RSS (/usr/bin/time -v); then the size of the 50 MB log's
# --format json report, whether its diagnoses are those of --all-steps,
# and the 500 MB / 50 MB time ratio. The load average is printed before
# and after: quote it with the figures.
#
#   scripts/bench-analyze.sh            # 5 rounds
#   ROUNDS=9 scripts/bench-analyze.sh
#   SIZES="50" scripts/bench-analyze.sh # the 50 MB log only
#
# Needs /usr/bin/time (GNU time, Debian package `time`) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${ROUNDS:-5}"
sizes="${SIZES:-50 500}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

CGO_ENABLED=0 go build -o "$tmp/cgotrace" ./cmd/cgotrace

cat buildlog/testdata/logs/*.x.log >"$tmp/seed.log"
make_log() { # size_mb out
	local want=$(($1 * 1000 * 1000)) out=$2
	cp "$tmp/seed.log" "$out"
	while [ "$(stat -c %s "$out")" -lt "$want" ]; do
		cat "$out" "$out" >"$out.tmp" && mv "$out.tmp" "$out"
	done
	truncate -s "$want" "$out" # may cut the last line: analyze copes
}

names=()
for mb in $sizes; do
	make_log "$mb" "$tmp/$mb.log"
	names+=("$mb-text" "$mb-json")
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/results.txt"
for ((r = 0; r < rounds; r++)); do
	n=${#names[@]}
	for ((i = 0; i < n; i++)); do
		name=${names[$(((i + r) % n))]}
		mb=${name%-*}
		form=${name#*-}
		# exit 1 is expected: the concatenated logs hold failed builds
		/usr/bin/time -v -o "$tmp/time.txt" "$tmp/cgotrace" analyze --format "$form" "$tmp/$mb.log" >"$tmp/out.$form" 2>/dev/null || true
		python3 - "$tmp/time.txt" "$name" "$mb" >>"$tmp/results.txt" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
def f(pat):
    return re.search(pat, t).group(1)
wall = f(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
parts = [float(x) for x in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(f(r"User time \(seconds\): (\S+)")) + float(f(r"System time \(seconds\): (\S+)"))
rss = int(f(r"Maximum resident set size \(kbytes\): (\d+)"))
print(sys.argv[2], sys.argv[3], secs, cpu, rss)
EOF
		if [ "$name" = "50-json" ] && [ ! -e "$tmp/json.size" ]; then
			stat -c %s "$tmp/out.json" >"$tmp/json.size"
			cp "$tmp/out.json" "$tmp/trim.json"
		fi
	done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp/results.txt" "$rounds" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for name, mb, wall, cpu, rss in rows:
    by.setdefault(name, []).append((int(mb), float(wall), float(cpu), int(rss)))
print(f"{'log':10} {'rounds':>6} {'wall s':>8} {'MB/s':>7} {'cpu s':>8} {'MB/s cpu':>9} {'peak RSS MiB':>13}")
med = {}
for name, rs in by.items():
    mb = rs[0][0]
    w = statistics.median(r[1] for r in rs)
    c = statistics.median(r[2] for r in rs)
    m = statistics.median(r[3] for r in rs) / 1024
    med[name] = w
    print(f"{name:10} {len(rs):>6} {w:8.2f} {mb / w:7.0f} {c:8.2f} {mb / c:9.0f} {m:13.1f}")
if "500-text" in med and "50-text" in med:
    print(f"500 MB / 50 MB wall time (medians, text): {med['500-text'] / med['50-text']:.1f}x")
EOF

if [ -e "$tmp/json.size" ]; then
	echo "50 MB --format json report: $(($(cat "$tmp/json.size") / 1000)) kB"
	"$tmp/cgotrace" analyze --format json --all-steps "$tmp/50.log" >"$tmp/all.json" 2>/dev/null || true
	echo "50 MB --format json --all-steps report: $(($(stat -c %s "$tmp/all.json") / 1000)) kB"
	python3 - "$tmp/trim.json" "$tmp/all.json" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
same = a["diagnoses"] == b["diagnoses"] and a["command"]["exit_code"] == b["command"]["exit_code"] and a.get("notes") == b.get("notes")
print(f"diagnoses, exit code and notes the same as --all-steps: {'yes' if same else 'NO'} ({len(a['diagnoses'])} diagnoses)")
sys.exit(0 if same else 1)
EOF
fi
