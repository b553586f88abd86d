#!/usr/bin/env bash
# capture-logs.sh regenerates testdata/logs/: real `go build` logs of the
# cgo scenarios in a scenarios directory (default ../shared/scenarios, as
# seen from the repository root), captured on this machine.
#
# For each scenario it copies the directory to a fresh temporary directory
# (a new package path per run, so the scenario's own packages miss the build
# cache), runs its setup.sh there, applies the env of its scenario.json
# ("$SCENARIO" = the copy, null = unset the variable) and runs `go build`
# with the scenario's args in these forms, each in its own fresh copy:
#
#   NAME.log       go build ARGS             (plain, what most CI logs hold)
#   NAME.x.log     go build -x ARGS
#   NAME.json.log  go build -json -x ARGS
#   NAME.xv.log    go build -x -ldflags=-v ARGS   (link failures only; an
#                  -ldflags=V in ARGS becomes -ldflags=-v V)
#   NAME.exit      the exit code of the plain build
#
# stdout and stderr are saved combined, unedited. GOFLAGS=-buildvcs=false.
#
# Usage: scripts/capture-logs.sh [SCENARIOS_DIR [OUT_DIR]] [-- NAME...]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pos=()
while (($#)); do
	if [[ $1 == -- ]]; then
		shift
		break
	fi
	pos+=("$1")
	shift
done
only=("$@")
if ((${#pos[@]} > 2)); then
	echo "usage: scripts/capture-logs.sh [SCENARIOS_DIR [OUT_DIR]] [-- NAME...]" >&2
	exit 2
fi
scen_dir=${pos[0]:-$repo/../shared/scenarios}
out_dir=${pos[1]:-$repo/testdata/logs}

[[ -d $scen_dir ]] || { echo "capture-logs: no scenarios directory: $scen_dir" >&2; exit 2; }
scen_dir=$(cd "$scen_dir" && pwd)
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
command -v python3 >/dev/null || { echo "capture-logs: python3 is needed to read scenario.json" >&2; exit 2; }

tmp=$(mktemp -d /tmp/cgotrace-capture.XXXXXX)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

export GOFLAGS=-buildvcs=false

# scenario_env NAME COPY prints the env of scenario.json as NUL-separated
# "set NAME=value" / "unset NAME" lines.
scenario_env() {
	python3 - "$1/scenario.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in (d.get("env") or {}).items():
    if v is None:
        sys.stdout.write("unset\0%s\0" % k)
    else:
        sys.stdout.write("set\0%s=%s\0" % (k, str(v).replace("$SCENARIO", sys.argv[2])))
PY
}

scenario_args() {
	python3 - "$1/scenario.json" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1])).get("args") or []:
    sys.stdout.write(a + "\0")
PY
}

# run_form NAME FORM OUTFILE EXTRA... : fresh copy, setup, go build.
run_form() {
	local name=$1 form=$2 outfile=$3
	shift 3
	local copy="$tmp/$form/$name"
	mkdir -p "$tmp/$form"
	cp -R "$scen_dir/$name" "$copy"
	if [[ -f $copy/setup.sh ]]; then
		if ! (cd "$copy" && bash setup.sh) >"$tmp/setup.out" 2>&1; then
			echo "capture-logs: $name: setup.sh failed:" >&2
			cat "$tmp/setup.out" >&2
			return 3
		fi
	fi
	# env(1) wants every -u before the first NAME=value.
	local -a unsets=() sets=() args=()
	local op kv
	while IFS= read -r -d '' op && IFS= read -r -d '' kv; do
		if [[ $op == unset ]]; then unsets+=(-u "$kv"); else sets+=("$kv"); fi
	done < <(scenario_env "$scen_dir/$name" "$copy")
	local -a envcmd=(env "${unsets[@]}" "${sets[@]}")
	while IFS= read -r -d '' a; do args+=("$a"); done < <(scenario_args "$scen_dir/$name")
	if [[ $form == xv ]]; then
		# -ldflags=-v, merged with an -ldflags the scenario already passes
		# (a second -ldflags would replace the first).
		local merged=0 i
		for i in "${!args[@]}"; do
			if [[ ${args[$i]} == -ldflags=* ]]; then
				args[$i]="-ldflags=-v ${args[$i]#-ldflags=}"
				merged=1
			fi
		done
		((merged)) || args=(-ldflags=-v "${args[@]}")
	fi
	local rc=0
	(cd "$copy" && "${envcmd[@]}" go build "$@" "${args[@]}") >"$outfile" 2>&1 || rc=$?
	echo "$rc"
}

for sdir in "$scen_dir"/*/; do
	name=$(basename "$sdir")
	[[ -f $sdir/scenario.json ]] || continue
	if ((${#only[@]})); then
		keep=0
		for o in "${only[@]}"; do [[ $o == "$name" ]] && keep=1; done
		((keep)) || continue
	fi
	start=$SECONDS
	rc=$(run_form "$name" plain "$out_dir/$name.log")
	echo "$rc" >"$out_dir/$name.exit"
	rcx=$(run_form "$name" x "$out_dir/$name.x.log" -x)
	rcj=$(run_form "$name" json "$out_dir/$name.json.log" -json -x)
	rm -f "$out_dir/$name.xv.log"
	extra=""
	if grep -q 'link: running .* failed' "$out_dir/$name.log"; then
		rcv=$(run_form "$name" xv "$out_dir/$name.xv.log" -x)
		extra=" xv=$rcv"
	fi
	echo "capture-logs: $name plain=$rc x=$rcx json=$rcj$extra ($((SECONDS - start))s)" >&2
done
du -sh "$out_dir" >&2
