#!/bin/sh
# Runs cgotrace's fuzz targets by hand (CI runs only their seed corpora,
# as part of go test). Usage:
#
#   scripts/fuzz.sh [-t DURATION] [-j JOBS] [PKG:TARGET ...]
#
# Each target runs for DURATION (default 90s), JOBS at a time (default 1,
# at most 2: the machine is shared), each with -parallel 1. Without
# arguments every target below runs. -fuzzminimizetime is 5s: go's
# default (60s per new crasher or interesting input) lets a short run
# spend most of its time minimising instead of fuzzing.
#
# Logs go to ${FUZZ_LOG_DIR:-/tmp/cgotrace-fuzz}/PKG_TARGET.log; a crasher
# is written by go test to PKG/testdata/fuzz/TARGET/. The last line of
# the summary per target is go's own "elapsed: ..., execs: N" line.
set -eu

cd "$(dirname "$0")/.."

# Every fuzz target of the module, as package:target. Keep in sync with
# `grep -rn '^func Fuzz' --include=*_test.go .` (checked below).
TARGETS="
buildlog:FuzzColonGate
buildlog:FuzzEvent
buildlog:FuzzFrontEnd
buildlog:FuzzHasControl
buildlog:FuzzIsTraceLine
buildlog:FuzzIsTestRunLine
buildlog:FuzzLearnImportcfg
buildlog:FuzzParse
buildlog:FuzzParseMessages
buildlog:FuzzSplitCommandRef
buildlog:FuzzStream
buildlog:FuzzSymbols
buildlog:FuzzTokenize
elfinspect/symindex:FuzzDecodeIndex
elfinspect/symindex:FuzzParseArmap
elfinspect/symindex:FuzzReadArchiveSymbols
elfinspect/image:FuzzReadLayer
elfinspect:FuzzAppendJSON
elfinspect:FuzzLDCache
elfinspect:FuzzLdsoSystemDirs
elfinspect:FuzzMachO
elfinspect:FuzzOpenVerify
elfinspect:FuzzPE
elfinspect:FuzzReadELF
elfinspect:FuzzResolveLinks
elfinspect:FuzzVersions
pkgconfig:FuzzCShimRecord
pkgconfig:FuzzParse
trace/distpkg:FuzzAnswers
trace/distpkg:FuzzGet
trace/distpkg:FuzzParse
trace/distpkg/rpmspec:FuzzParse
trace/envcheck:FuzzModuleParsers
trace/envcheck:FuzzParsers
trace/render:FuzzActionsGuard
trace/render:FuzzCanonicalCopy
trace/render:FuzzCompDB
trace/render:FuzzDecode
trace/render:FuzzFold
trace/render:FuzzGitHubEscaping
trace/render:FuzzHTML
trace/render:FuzzMarkdownCell
trace/render:FuzzTruncate
trace:FuzzEchoMatchers
trace:FuzzTestJSONFilter
"

duration=90s
jobs=1
while getopts t:j: opt; do
	case $opt in
	t) duration=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) echo "usage: $0 [-t DURATION] [-j JOBS] [PKG:TARGET ...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ "$jobs" -lt 1 ] || [ "$jobs" -gt 2 ]; then
	echo "fuzz.sh: -j must be 1 or 2 (the machine is shared)" >&2
	exit 2
fi

found=$(grep -rn '^func Fuzz' --include='*_test.go' . |
	sed -E 's|^\./(.*)/[^/]*_test\.go:[0-9]+:func (Fuzz[A-Za-z0-9_]*).*|\1:\2|' | sort)
for t in $found; do
	case " $(echo $TARGETS) " in
	*" $t "*) ;;
	*) echo "fuzz.sh: $t is not in TARGETS: add it" >&2; exit 2 ;;
	esac
done

[ $# -gt 0 ] && TARGETS="$*"
logdir=${FUZZ_LOG_DIR:-/tmp/cgotrace-fuzz}
mkdir -p "$logdir"

run() {
	pkg=${1%%:*}
	target=${1#*:}
	log="$logdir/$(echo "$pkg" | tr / _)_$target.log"
	if go test "./$pkg" -run '^$' -fuzz "^$target\$" -fuzztime "$duration" \
		-fuzzminimizetime 5s -parallel 1 >"$log" 2>&1; then
		status=ok
	else
		status=FAIL
	fi
	last=$(grep 'elapsed:' "$log" | tail -1 || true)
	echo "$status $pkg $target: $last"
	[ "$status" = ok ]
}

rc=0
set -- $TARGETS
while [ $# -gt 0 ]; do
	if [ "$jobs" -eq 2 ] && [ $# -ge 2 ]; then
		a=$1 b=$2
		shift 2
		run "$a" & pa=$!
		run "$b" & pb=$!
		wait $pa || rc=1
		wait $pb || rc=1
	else
		run "$1" || rc=1
		shift
	fi
done
exit $rc
