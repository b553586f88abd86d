#!/usr/bin/env bash
# Measures the streaming build-log parser on one core: throughput and peak
# RSS for a 50 MB and a 500 MB -x log made by concatenating the real logs
# in buildlog/testdata/logs (*.x.log, and *.json.log for the -json form).
#
#   scripts/bench-buildlog.sh            # -x logs, 50 MB and 500 MB
#   FORM=json scripts/bench-buildlog.sh  # go build -json -x logs
#
# Needs /usr/bin/time (GNU time, Debian package `time`).
#
# parsebench prints MB/s by the wall clock and by the CPU time the process
# used (user+sys): on a machine shared with other jobs the wall clock
# mostly measures the wait for a core, the CPU figure the parser.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
form="${FORM:-x}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/parsebench" ./buildlog/internal/parsebench

# One pass over the real logs, then doubled until the target size.
cat buildlog/testdata/logs/*."$form".log >"$tmp/seed.log"
make_log() { # size_mb out
	local want=$(($1 * 1000 * 1000)) out=$2
	cp "$tmp/seed.log" "$out"
	while [ "$(stat -c %s "$out")" -lt "$want" ]; do
		cat "$out" "$out" >"$out.tmp" && mv "$out.tmp" "$out"
	done
	truncate -s "$want" "$out" # may cut the last line: the parser copes
}

for mb in 50 500; do
	make_log "$mb" "$tmp/$mb.log"
	echo "== ${mb} MB ($form), GOMAXPROCS=1"
	GOMAXPROCS=1 /usr/bin/time -v "$tmp/parsebench" "$tmp/$mb.log" 2>"$tmp/time.txt"
	grep -E 'Maximum resident set size|Elapsed \(wall clock\)|User time|Percent of CPU' "$tmp/time.txt" | sed 's/^\s*/  /'
	rm -f "$tmp/$mb.log"
done
