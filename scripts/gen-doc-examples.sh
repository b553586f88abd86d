#!/usr/bin/env bash
# Regenerates the example outputs in README.md (the blocks between
# "<!-- example: NAME -->" and "<!-- end example -->") from real runs:
# the example's cgotrace build, analyze of a CI log, inspect and verify of
# gcc-built binaries, env. Scratch paths are shown as /home/dev/app, go's
# work directory as $WORK. The same test, without -update-docs, fails in
# go test ./... when a block is stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go test ./cmd/cgotrace -run '^TestDocExamples$' -count=1 -update-docs
git --no-pager diff --stat -- README.md docs/
