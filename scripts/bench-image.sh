#!/usr/bin/env bash
# bench-image.sh: `cgotrace verify --image` of a generated image of about
# 200 MB with 500 ELF files (this machine's glibc loader and libc.so.6,
# 100 shared libraries, 400 gcc-built programs in /usr/bin, 40 MB of data
# files: BenchmarkVerifyImage's image), written as a docker save tarball
# (uncompressed layers) and as an OCI layout (gzip layers), timed in
# interleaved rounds (scripts/paired.py) against `tar -xf` of the same
# docker save tarball into a temporary directory, the cheapest way to get
# at the files otherwise. The goal: <= 2 s.
#
# usage: scripts/bench-image.sh [RUNS]
# needs: go, gcc, musl-gcc (scripts/setup.sh installs them), python3, tar
set -euo pipefail
runs=${1:-10}
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/cgotrace" ./cmd/cgotrace
CGOTRACE_BENCH_IMAGE=$work/image.tar go test -count=1 -run '^TestWriteBenchImage$' ./elfinspect/image >/dev/null
CGOTRACE_BENCH_IMAGE=$work/oci CGOTRACE_BENCH_FORMAT=oci go test -count=1 -run '^TestWriteBenchImage$' ./elfinspect/image >/dev/null
echo "image: $(du -m "$work/image.tar" | cut -f1) MB docker save tarball, $(du -sm "$work/oci" | cut -f1) MB OCI layout"
"$work/cgotrace" verify --image "$work/image.tar" >"$work/verify.txt"  # exits 1 on any failure
echo "verify: $(grep -c ': ok$' "$work/verify.txt") programs ok, $(grep -c FAIL "$work/verify.txt" || true) failures"
uptime
mkdir "$work/x"
python3 scripts/paired.py --runs "$runs" \
	-- "$work/cgotrace" verify --image "$work/image.tar" \
	-- "$work/cgotrace" verify --image "$work/oci" \
	-- tar -xf "$work/image.tar" -C "$work/x" --overwrite
uptime
