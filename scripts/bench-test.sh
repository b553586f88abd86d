#!/usr/bin/env bash
# Wall time of `cgotrace test` against plain `go test` on healthy modules
# with a warm build cache (issue 18: at most 1.10x), in interleaved rounds
# (scripts/paired.py: each round runs both, the order rotating; the ratio
# is the median of the per-round ratios):
#   1. a small cgo module (a C function and two packages with tests),
#      `go test ./...` with the results cached (what a re-run in CI does)
#      and with -count=1 (the tests run; the build is cached);
#   2. this project's own `go test ./buildlog/...`, cached and -count=1.
# Usage: scripts/bench-test.sh [RUNS]   (prints the load average too)
set -euo pipefail
runs="${1:-15}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/cgotrace" ./cmd/cgotrace)
paired() { python3 "$repo/scripts/paired.py" --runs "$runs" --warmup 3 "$@"; }

mkdir -p "$tmp/mod/other"
cat >"$tmp/mod/go.mod" <<'G'
module example.com/benchtest

go 1.22
G
cat >"$tmp/mod/add.go" <<'G'
package benchtest

// int add(int a, int b) { return a + b; }
import "C"

func Add(a, b int) int { return int(C.add(C.int(a), C.int(b))) }
G
cat >"$tmp/mod/add_test.go" <<'G'
package benchtest

import "testing"

func TestAdd(t *testing.T) {
	for i := 0; i < 1000; i++ {
		if Add(i, 1) != i+1 {
			t.Fatal(i)
		}
	}
}
G
cat >"$tmp/mod/other/other.go" <<'G'
package other

func One() int { return 1 }
G
cat >"$tmp/mod/other/other_test.go" <<'G'
package other

import "testing"

func TestOne(t *testing.T) {
	if One() != 1 {
		t.Fatal("one")
	}
}
G

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$tmp/mod"
go test ./... >/dev/null && "$tmp/cgotrace" test ./... >/dev/null 2>&1
echo "small cgo module, go test ./... (results cached):"
paired -- go test ./... -- "$tmp/cgotrace" test ./...
echo "small cgo module, go test -count=1 ./... (tests run, build cached):"
paired -- go test -count=1 ./... -- "$tmp/cgotrace" test -count=1 ./...

cd "$repo"
go test ./buildlog/... >/dev/null && "$tmp/cgotrace" test ./buildlog/... >/dev/null 2>&1
echo "cgotrace's go test ./buildlog/... (results cached):"
paired -- go test ./buildlog/... -- "$tmp/cgotrace" test ./buildlog/...
echo "cgotrace's go test -count=1 ./buildlog/... (tests run, build cached):"
paired -- go test -count=1 ./buildlog/... -- "$tmp/cgotrace" test -count=1 ./buildlog/...
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
