#!/usr/bin/env bash
# Installs what cgotrace's tests need on a fresh Debian machine of this
# project's kind: first what the example needs (scripts/setup-example.sh:
# gcc, libc6-dev, pkgconf, a check for go), then the rest below.
# Idempotent: packages already present are skipped, so a second run costs
# a dpkg query and nothing else.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup-example.sh"

# Debian packages the tests use beyond the example's: the C toolchains that tests build fixtures
# with, pkgconf and .pc files to compare against, the peers we measure
# against (libtree), and Chromium for the HTML report test.
pkgs=(
  gcc g++ binutils libc6-dev make pkgconf python3
  libsqlite3-dev zlib1g-dev
  musl-tools
  # gcc-multilib conflicts with the aarch64 cross compiler in Debian 12;
  # -m32 fixtures use gcc -m32 -nostdlib, which needs no multilib.
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  libtree
  # llvm-readobj: the reference for PE import and delay-import tables
  llvm
  cmark-gfm
  # trace/distpkg TestAgainstAptFile: the Debian table against the
  # Contents index it was made from (apt-file update below)
  apt-file
  # only for the benchmark scripts (scripts/bench-*.sh)
  hyperfine time
  chromium
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
go mod download

# apt-file's Contents files (55 MB), once; a failure only makes
# TestAgainstAptFile skip.
if command -v apt-file >/dev/null && ! ls /var/lib/apt/lists/*Contents* >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-file update >/dev/null 2>&1 || echo "setup: apt-file update failed: TestAgainstAptFile will skip" >&2
fi

# The SARIF schema test (trace/render TestSARIFSchema) validates with ajv
# (draft-04 build, for the official SARIF 2.1.0 schema) from npm, into
# CGOTRACE_NPM_DIR (default /usr/local/lib/cgotrace-npm). Node comes from
# Debian when the machine has none.
if ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup: installing nodejs npm" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
npm_dir="${CGOTRACE_NPM_DIR:-/usr/local/lib/cgotrace-npm}"
if [ ! -f "$npm_dir/node_modules/ajv-draft-04/package.json" ] || [ ! -f "$npm_dir/node_modules/ajv-formats/package.json" ]; then
  sudo=""
  [ -w "$(dirname "$npm_dir")" ] || sudo=sudo
  $sudo mkdir -p "$npm_dir"
  $sudo npm install --prefix "$npm_dir" --no-audit --no-fund --silent ajv@8.17.1 ajv-draft-04@1.0.0 ajv-formats@3.0.1 >/dev/null
fi
