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
scen="${1:-$here/../../../shared/scenarios}" # ../shared next to the repository
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

multi() {
	# Two cgo packages built in parallel (cd goes back and forth, two
	# bNNN), pkg-config, a .c file with a compile error in one of them,
	# and the -v linker output in the success form.
	local tmp; tmp="$(mktemp -d)"
	mkdir -p "$tmp/multi/a" "$tmp/multi/b"
	printf 'module example.com/multi\n\ngo 1.26\n' >"$tmp/multi/go.mod"
	cat >"$tmp/multi/a/a.go" <<'GO'
package a

// #cgo pkg-config: zlib
// #include <zlib.h>
import "C"

func Version() string { return C.GoString(C.zlibVersion()) }
GO
	cat >"$tmp/multi/b/b.go" <<'GO'
package b

// #cgo LDFLAGS: -lm
// #include <math.h>
// int helper(int);
import "C"

func Root(x float64) float64 { return float64(C.sqrt(C.double(x))) + float64(C.helper(1)) }
GO
	printf 'int helper(int x) { return x + BROKEN; }\n' >"$tmp/multi/b/helper.c"
	cat >"$tmp/multi/main.go" <<'GO'
package main

import (
	"fmt"

	"example.com/multi/a"
	"example.com/multi/b"
)

func main() { fmt.Println(a.Version(), b.Root(4)) }
GO
	echo "== multi" >&2
	run multi "$tmp/multi" CGO_ENABLED=1 -- -p 2 -o app .
	sed -i 's/x + BROKEN/x + 1/' "$tmp/multi/b/helper.c"
	echo "== multi-ok" >&2
	run multi-ok "$tmp/multi" CGO_ENABLED=1 -- -p 2 -ldflags=-v -o app .
}

if [ "${ONLY:-}" = multi ]; then multi; exit; fi
multi

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
