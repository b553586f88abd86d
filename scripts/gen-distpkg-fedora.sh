#!/usr/bin/env bash
# Generates trace/distpkg/fedora.tsv: which Fedora packages ship a
# pkg-config file, a header, or a link-time library, for the fix texts
# of cgotrace's diagnoses on Fedora and its relatives when dnf cannot
# answer ("Fedora: zeromq-devel", never a guessed name).
#
# Source: Fedora's own spec files, the %files sections of which say which
# binary package ships which path. Fedora publishes every package's spec
# from dist-git (rawhide) as one tarball,
#   https://src.fedoraproject.org/lookaside/rpm-specs-latest.tar.xz
# and github.com/r0x0d/fedora-rpm-specs keeps it in git, updated daily.
# The embedded table was made from that repository at
#   1c71cca0191fad6ebb89e45d2c6db99fbd66dc48 (2025-02-16, 24,378 specs)
# (texlive.spec was absent from the copy read here; it ships no .pc
# file cgo asks for). Fedora's repodata (primary.xml's pkgconfig(NAME)
# provides, filelists.xml), which would say the same of built packages,
# was not reachable from the machine this was made on.
#
# What the table holds and how (trace/distpkg/fedoragen): a path a spec
# names is kept as it is; a glob (%{_includedir}/zmq*.h) is resolved
# against the names known to exist (the Debian table's keys and the
# specs' exact paths) when it matches at most 8 of them; a broader one
# (sqlite-devel's %{_libdir}/pkgconfig/*.pc) through the Debian packages
# that ship a file the same spec names (sqlite-libs' libsqlite3.so.*:
# libsqlite3-dev, whose .pc file is sqlite3.pc). Conditionals are not
# evaluated, so a name that more than 4 packages would ship (python3.pc
# in every python3.X-devel) is left out. Paths that use a macro defined
# outside the spec (about 44% of all %files paths: Python, Perl, Rust,
# MinGW, Qt, KDE) are left out too. What the table does not know, the
# fix says it does not know.
#
# Usage: scripts/gen-distpkg-fedora.sh SPECS [OUT]
#   SPECS: rpm-specs-latest.tar.xz, a directory of .spec files, or a git
#          repository (a clone of r0x0d/fedora-rpm-specs) whose HEAD has specs/
#   OUT:   default trace/distpkg/fedora.tsv
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: scripts/gen-distpkg-fedora.sh SPECS [OUT]}
out=${2:-trace/distpkg/fedora.tsv}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -f "$src" ]; then
	tar -xf "$src" -C "$tmp"
	dir=$(dirname "$(find "$tmp" -name '*.spec' -print -quit)")
	what="$(basename "$src") ($(date -u -r "$src" +%F))"
elif git --git-dir="$src" rev-parse --verify -q HEAD >/dev/null 2>&1 || git -C "$src" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	gd=$src
	git --git-dir="$gd" rev-parse -q HEAD >/dev/null 2>&1 || gd=$(git -C "$src" rev-parse --absolute-git-dir)
	mkdir "$tmp/specs"
	# cat-file, not archive: a partial copy (some blobs absent) still
	# gives every spec it has.
	git --git-dir="$gd" ls-tree -r HEAD specs | awk '$4 ~ /\.spec$/ {print $3, $4}' |
		while read -r sha name; do
			git --git-dir="$gd" cat-file blob "$sha" >"$tmp/specs/${name##*/}" 2>/dev/null || rm -f "$tmp/specs/${name##*/}"
		done
	dir=$tmp/specs
	what="github.com/r0x0d/fedora-rpm-specs $(git --git-dir="$gd" rev-parse HEAD) ($(git --git-dir="$gd" show -s --format=%cs HEAD))"
elif [ -d "$src" ]; then
	dir=$src
	what="$src"
else
	echo "gen-distpkg-fedora: $src: not a tarball, a directory of specs or a git repository" >&2
	exit 1
fi
n=$(find "$dir" -maxdepth 1 -name '*.spec' | wc -l)
go run ./internal/genfedora "$dir" trace/distpkg/debian.tsv \
	"Fedora packages by file, from the %files sections of Fedora's spec files (rawhide, $n specs) of $what; scripts/gen-distpkg-fedora.sh" >"$out.tmp"
mv "$out.tmp" "$out"
ls -l "$out"
