#!/usr/bin/env bash
# bench-inspect.sh: `cgotrace inspect --format json` over every ELF file of
# /usr/bin (regular files, not symlinks, starting with \x7fELF) in one
# process, side by side with libtree over the same files in one process.
#
# usage: scripts/bench-inspect.sh [DIR] [RUNS]
# needs: go, hyperfine, libtree (apt-get install hyperfine libtree)
set -euo pipefail
dir=${1:-/usr/bin}
runs=${2:-30}
cd "$(dirname "$0")/.."

for tool in hyperfine libtree go; do
	command -v "$tool" >/dev/null || { echo "bench-inspect: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/cgotrace" ./cmd/cgotrace  # as README installs it

list=$work/elfs.txt
for f in "$dir"/*; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	[ "$(head -c4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && echo "$f"
done >"$list"
echo "files: $(wc -l <"$list") ELF files in $dir"

# Both exit non-zero when something is missing (libtree: 28 for
# systemd-analyze, whose dependency resolves only through load order).
# Output goes to /dev/null for both. First hyperfine, then interleaved
# rounds (scripts/paired.py): this machine is shared, and a slow spell
# during one command's hyperfine block skews its figure.
export LC_ALL=C
hyperfine -N -i --warmup 5 --runs "$runs" --export-json "$work/bench.json" \
	-n "cgotrace inspect --format json" "xargs -a $list $work/cgotrace inspect --format json" \
	-n "libtree -p" "xargs -a $list libtree -p"
# hyperfine prints means; the medians are in its JSON export.
python3 - "$work/bench.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median']*1000:7.1f} ms  min {r['min']*1000:6.1f} ms  user {r['user']*1000:5.1f} ms  system {r['system']*1000:5.1f} ms  {r['command']}")
PY
echo "interleaved:"
python3 scripts/paired.py --runs "$runs" --ok-exit \
	-- xargs -a "$list" libtree -p \
	-- xargs -a "$list" "$work/cgotrace" inspect --format json
