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
#   NAME.gold.log  go build -ldflags=-extldflags=-fuse-ld=gold ARGS and
#   NAME.lld.log   ... -fuse-ld=lld (link failures only, when ld.gold /
#                  ld.lld are installed; merged with ARGS' -extldflags)
#   NAME.exit      the exit code of the plain build
#
# and, in OUT_DIR/gocmd/, with the scenario's args less `-o FILE` (which
# go vet, go install and go run do not take), the other go commands that
# build (NAME.FORM.exit: each one's exit code):
#
#   NAME.test.log      go test -x ARGS
#   NAME.testjson.log  go test -json ARGS     (test2json events and BuildEvents)
#   NAME.vet.log       go vet ARGS
#   NAME.install.log   go install ARGS        (GOBIN in the temporary directory)
#   NAME.run.log       go run ARGS            (the program runs: its start-up
#                      failure, e.g. a missing shared library, ends the log)
#
# stdout and stderr are saved combined, unedited. GOFLAGS=-buildvcs=false.
#
# Usage: [CAPTURE_FORMS="plain x json xv gold lld test testjson vet install run"] \
#        scripts/capture-logs.sh [SCENARIOS_DIR [OUT_DIR]] [-- NAME...]
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

# CAPTURE_FORMS limits the forms captured (default: all of them), e.g.
# CAPTURE_FORMS="gold lld" to add those logs without touching the others.
forms=" ${CAPTURE_FORMS:-plain x json xv gold lld test testjson vet install run} "
want() { [[ $forms == *" $1 "* ]]; }

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

# scenario_args DIR FORM prints the scenario's go build args, NUL-separated,
# with the form's linker flags merged into its -ldflags (a second -ldflags
# on the command line would replace the first):
#   xv           -ldflags=-v
#   gold, lld    -ldflags=-extldflags=-fuse-ld=FORM (appended to an
#                -extldflags the scenario already passes)
scenario_args() {
	python3 - "$1/scenario.json" "$2" <<'PY'
import json, re, sys
args = json.load(open(sys.argv[1])).get("args") or []
form = sys.argv[2]
def merge(v):
    if form == "xv":
        return ("-v " + v).strip()
    if form in ("gold", "lld"):
        m = re.search(r"-extldflags=(\S+)", v)
        if m:
            # cmd/go splits -ldflags on spaces and quotes, and refuses a
            # value that starts with a quote: pass the flag's value apart.
            return v[:m.start()] + "-extldflags '%s -fuse-ld=%s'" % (m.group(1), form) + v[m.end():]
        return (v + " -extldflags=-fuse-ld=" + form).strip()
    return v
if form in ("test", "testjson", "vet", "install", "run"):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a.startswith("-o="):
            continue
        out.append(a)
    args = out
if form in ("xv", "gold", "lld"):
    if any(a.startswith("-ldflags=") for a in args):
        args = ["-ldflags=" + merge(a[len("-ldflags="):]) if a.startswith("-ldflags=") else a for a in args]
    else:
        args = ["-ldflags=" + merge("")] + args
for a in args:
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
	while IFS= read -r -d '' a; do args+=("$a"); done < <(scenario_args "$scen_dir/$name" "$form")
	local rc=0 verb=build
	case $form in
	test | testjson) verb=test ;;
	vet | install | run) verb=$form ;;
	esac
	(cd "$copy" && "${envcmd[@]}" GOBIN="$tmp/bin" go "$verb" "$@" "${args[@]}") >"$outfile" 2>&1 || rc=$?
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
	report=""
	if want plain; then
		rc=$(run_form "$name" plain "$out_dir/$name.log")
		echo "$rc" >"$out_dir/$name.exit"
		report+=" plain=$rc"
	fi
	if want x; then
		report+=" x=$(run_form "$name" x "$out_dir/$name.x.log" -x)"
	fi
	if want json; then
		report+=" json=$(run_form "$name" json "$out_dir/$name.json.log" -json -x)"
	fi
	# Link failures (seen in the plain log) get the -ldflags=-v form and
	# the same link with gold and lld, whose messages differ from GNU
	# ld's (plain form only).
	link_failed=0
	grep -q 'link: running .* failed' "$out_dir/$name.log" 2>/dev/null && link_failed=1
	for form in xv gold lld; do
		want "$form" || continue
		f="$out_dir/$name.$form.log"
		rm -f "$f"
		((link_failed)) || continue
		if [[ $form == xv ]]; then
			report+=" xv=$(run_form "$name" xv "$f" -x)"
		elif command -v "ld.$form" >/dev/null; then
			report+=" $form=$(run_form "$name" "$form" "$f")"
		else
			echo "capture-logs: ld.$form not installed: no $name.$form.log" >&2
		fi
	done
	for form in test testjson vet install run; do
		want "$form" || continue
		extra=()
		case $form in
		test) extra=(-x) ;;
		testjson) extra=(-json) ;;
		esac
		mkdir -p "$out_dir/gocmd"
		rc=$(run_form "$name" "$form" "$out_dir/gocmd/$name.$form.log" "${extra[@]}")
		echo "$rc" >"$out_dir/gocmd/$name.$form.exit"
		report+=" $form=$rc"
	done
	echo "capture-logs: $name$report ($((SECONDS - start))s)" >&2
done
du -sh "$out_dir" >&2
