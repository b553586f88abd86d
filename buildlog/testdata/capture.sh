#!/usr/bin/env bash
# Captures the real go build logs in this directory's logs/ from the shared
# scenarios and a quoting module. Each scenario is copied to a fresh temp dir
# (new package path, nothing cached for it), its setup.sh is run, then:
#   NAME.x.log     go build -x -work ARGS     (stderr+stdout)
#   NAME.json.log  go build -json -x ARGS     (stdout+stderr)
#   NAME.plain.log go build ARGS              (stderr+stdout)
# Usage: bash capture.sh [/path/to/scenarios]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scen="${1:-/work/shared/scenarios}"
out="$here/logs"
mkdir -p "$out"

run() { # name dir env... -- args...
	local name=$1 dir=$2; shift 2
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	# A fresh copy per form: a new directory is a new cache key, so each
	# form shows the package's own cgo steps.
	local form flags d
	for form in x json plain; do
		case $form in
		x) flags=(-x -work) ;;
		json) flags=(-json -x) ;;
		plain) flags=() ;;
		esac
		d="$(mktemp -d)/$(basename "$dir")"
		cp -r "$dir" "$d"
		(cd "$d" && env "${envs[@]}" go build "${flags[@]}" "$@" >"$out/$name.$form.log" 2>&1; echo "[$form exit $?]" >&2)
	done
}

scenario() { # name [extra go args...]
	local s=$1; shift
	local tmp; tmp="$(mktemp -d)"
	cp -r "$scen/$s" "$tmp/$s" && chmod -R u+w "$tmp/$s"
	if [ -f "$tmp/$s/setup.sh" ]; then (cd "$tmp/$s" && bash setup.sh >/dev/null) || return; fi
	local envs args
	mapfile -t envs < <(python3 -c "import json;d=json.load(open('$tmp/$s/scenario.json'));[print(k+'='+v) for k,v in d.get('env',{}).items()]")
	mapfile -t args < <(python3 -c "import json;d=json.load(open('$tmp/$s/scenario.json'));[print(a) for a in d['args']]")
	echo "== $s $*" >&2
	run "$s${SUFFIX:-}" "$tmp/$s" "${envs[@]}" -- "$@" "${args[@]}"
}

for s in library-not-found-basic header-not-found-basic pkg-config-package-not-found-basic \
	pkg-config-not-found-basic invalid-cgo-flag-basic cc-not-found-basic cgo-disabled-basic \
	undefined-symbol-basic static-glibc-nss-basic healthy-pkg-config-sqlite3; do
	scenario "$s"
done
SUFFIX=-v scenario healthy-pkg-config-sqlite3 -ldflags=-v

# Quoting: env flags with a space, a tab and a quote; an -L dir with a space
# (cgo's nested -ldflags quoting); a -I dir with a '.
tmp="$(mktemp -d)"
mkdir -p "$tmp/quoting/dir with space" "$tmp/quoting/it's"
cat >"$tmp/quoting/go.mod" <<'GOMOD'
module example.com/quoting

go 1.26
GOMOD
cat >"$tmp/quoting/main.go" <<'GO'
package main

// #cgo LDFLAGS: -lm
// #include <math.h>
// static double half(double x) { return x / 2; }
import "C"

import "fmt"

func main() { fmt.Println(C.half(C.sqrt(16))) }
GO
echo "== quoting" >&2
run quoting "$tmp/quoting" CGO_ENABLED=1 "CGO_CFLAGS=-O2 -g \"-DGREETING=hello world\" \"-DT=a	b\" -I$tmp/quoting/it's" \
	"CGO_LDFLAGS=-O2 -g \"-L$tmp/quoting/dir with space\"" -- -o app .
echo "== quoting -n" >&2
(cd "$tmp/quoting" && CGO_ENABLED=1 go build -n -o app . >"$out/quoting.n.log" 2>&1 )
