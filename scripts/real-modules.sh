#!/usr/bin/env bash
# cgotrace build on real cgo modules from the Go proxy, run as a new user
# would: a temporary module that imports each one, on a machine that lacks
# most of their C libraries (the realistic broken state). For each case it
# prints the exit codes of go build and cgotrace build, cgotrace's first
# diagnosis (code and summary) and fix, the number of lines cgotrace prints
# (terminal: go's output and the report), and the wall time of cgotrace
# build against go build in interleaved rounds (scripts/paired.py: median
# of the per-round ratios), with the load average.
# Usage: scripts/real-modules.sh [ROUNDS] [CASE...]   (cases: see below)
# Needs network access to the Go proxy; the cross case needs
# aarch64-linux-gnu-gcc, the static sqlite3 case libsqlite3-dev, and
# cross-arm-no-cc a machine without arm-linux-gnueabihf-gcc.
set -euo pipefail
rounds="${1:-5}"
shift || true
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/cgotrace" ./cmd/cgotrace)

# name|import path|go build flags|environment|module@version to require
cases=(
  "zmq4|github.com/pebbe/zmq4|||github.com/pebbe/zmq4@latest"
  "portaudio|github.com/gordonklaus/portaudio|||github.com/gordonklaus/portaudio@latest"
  "go-sdl2|github.com/veandco/go-sdl2/sdl|||github.com/veandco/go-sdl2@latest"
  "grocksdb|github.com/linxGnu/grocksdb|||github.com/linxGnu/grocksdb@latest"
  "glfw|github.com/go-gl/glfw/v3.3/glfw|||github.com/go-gl/glfw/v3.3/glfw@latest"
  "zstd-external|github.com/DataDog/zstd|-tags external_libzstd||github.com/DataDog/zstd@latest"
  "sqlite3|github.com/mattn/go-sqlite3|||github.com/mattn/go-sqlite3@latest"
  "sqlite3-static|github.com/mattn/go-sqlite3|-tags libsqlite3 -ldflags=-extldflags=-static||github.com/mattn/go-sqlite3@latest"
  "cross-arm64|-||CC=aarch64-linux-gnu-gcc GOARCH=arm64 CGO_ENABLED=1|-"
  # A cross build whose toolchain is not installed (setup.sh installs
  # only the aarch64 one): the fix names the compiler's package.
  "cross-arm-no-cc|-||CC=arm-linux-gnueabihf-gcc GOARCH=arm GOARM=7 CGO_ENABLED=1|-"
)

want=("$@")
printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  IFS='|' read -r name imp flags envs req <<<"$c"
  if [ "${#want[@]}" -gt 0 ] && [[ " ${want[*]} " != *" $name "* ]]; then
    continue
  fi
  d="$tmp/$name"
  mkdir -p "$d"
  cd "$d"
  printf 'module example.com/try%s\n\ngo 1.22\n' "${name//-/}" >go.mod
  if [ "$imp" = "-" ]; then
    # A small cgo module of our own (the cross build).
    printf 'package main\n\n// #include <stdlib.h>\nimport "C"\n\nimport "fmt"\n\nfunc main() { fmt.Println(C.abs(-3)) }\n' >main.go
  else
    printf 'package main\n\nimport _ "%s"\n\nfunc main() {}\n' "$imp" >main.go
    go get "$req" >/dev/null 2>&1 || { echo "$name: go get $req failed"; continue; }
  fi
  # shellcheck disable=SC2206
  fl=($flags)
  # shellcheck disable=SC2206
  ev=($envs)
  # Warm the build cache (a plain build, twice: the second is what the
  # rounds measure), then one run of each for the verdicts.
  env "${ev[@]}" go build "${fl[@]}" -o app . >/dev/null 2>&1 || true
  set +e
  env "${ev[@]}" go build "${fl[@]}" -o app . >go.out 2>&1
  gocode=$?
  env "${ev[@]}" "$tmp/cgotrace" build "${fl[@]}" -o app . >ct.out 2>&1
  ctcode=$?
  env "${ev[@]}" "$tmp/cgotrace" -v build --format json --output rep.json "${fl[@]}" -o app . >/dev/null 2>ct.v
  set -e
  python3 - "$name" "$gocode" "$ctcode" rep.json ct.out go.out ct.v <<'PY'
import json, sys
name, gocode, ctcode, rep, ctout, goout, ctv = sys.argv[1:8]
r = json.load(open(rep))
ds = [d for d in r.get("diagnoses", []) if d.get("severity") == "error"] or r.get("diagnoses", [])
lines = sum(1 for _ in open(ctout))
golines = sum(1 for _ in open(goout))
rebuilt = any("forensic rebuild" in l and "no rebuild" not in l for l in open(ctv))
print(f"== {name}: go build exit {gocode}, cgotrace exit {ctcode}; cgotrace prints {lines} lines (go build: {golines}); forensic rebuild: {'yes' if rebuilt else 'no'}")
if ds:
    d = ds[0]
    print(f"   first diagnosis: {d['code']}" + (f" in {d['package']}" if d.get('package') else ""))
    print(f"   summary: {d.get('summary','')}")
    print(f"   fix: {d.get('fix','')}")
    print(f"   diagnoses: {len(r.get('diagnoses', []))} ({', '.join(x['code'] for x in r.get('diagnoses', []))})")
elif r["command"].get("output"):
    print(f"   no diagnosis; go said: {r['command']['output']}")
else:
    print("   no diagnosis")
PY
  env "${ev[@]}" python3 "$repo/scripts/paired.py" --runs "$rounds" --warmup 1 --ok-exit \
    -- go build "${fl[@]}" -o app . \
    -- "$tmp/cgotrace" build "${fl[@]}" -o app . | sed 's/^/   /'
  printf '   load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
done
