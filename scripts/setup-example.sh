#!/usr/bin/env bash
# Installs what scripts/example.sh needs on a fresh Debian or Ubuntu
# machine: a C compiler and pkg-config (gcc, libc6-dev, pkgconf), with
# apt-get, when they are missing. Go itself is checked, not installed:
# go.mod asks for the Go it names (https://go.dev/dl). Idempotent.
# The tests need more: scripts/setup.sh runs this and adds the rest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v go >/dev/null 2>&1; then
  echo "setup-example: no go on PATH; install Go $(sed -n 's/^go //p' go.mod) or newer from https://go.dev/dl" >&2
  exit 1
fi

pkgs=(gcc libc6-dev pkgconf)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-example: install ${missing[*]} (or your system's C compiler and pkg-config)" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup-example: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
go mod download
