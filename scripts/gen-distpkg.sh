#!/usr/bin/env bash
# Generates trace/distpkg/debian.tsv: which Debian packages ship a
# pkg-config file, a header, or a link-time library, for the fix texts of
# cgotrace's diagnoses ("install libzmq3-dev", never a guessed name).
#
# Source: Debian's own Contents index of the suite this machine's apt uses
# (Debian 12 "bookworm", main, amd64 and all), read through apt-file:
#   apt-get install apt-file && apt-file update
# The result says which suite it came from in its header lines.
#
# Only Debian's data is here. Fedora's table is made from Fedora's spec
# files by scripts/gen-distpkg-fedora.sh; no table is made for Alpine or
# Homebrew, and no name is guessed for them (at run time cgotrace asks
# apk or brew instead: docs/diagnoses.md). What was looked for, in
# December 2026, from a machine whose network reaches only Debian's apt
# archive, the Go module proxy and npm:
#   Fedora    the file -> package data of built packages is the repodata
#             (primary.xml's pkgconfig(NAME) provides, filelists.xml) on
#             Fedora's mirrors: not reachable. Fedora's spec files are
#             (github.com/r0x0d/fedora-rpm-specs keeps Fedora's
#             rpm-specs-latest.tar.xz in git): their %files sections say
#             which package ships which path; gen-distpkg-fedora.sh.
#   Alpine    APKINDEX.tar.gz (p: lines with pc:NAME provides) on
#             dl-cdn.alpinelinux.org: not reachable. No copy of an APKINDEX
#             was found in public repositories ("pc:libzmq=", "p:pc:zlib=");
#             aports' APKBUILDs list no files (abuild derives pc: provides at
#             build time), and a snapshot of alpinelinux/aports (673 MB) is
#             over what can be brought here (500 MB); genuinetools/apk-file
#             scrapes pkgs.alpinelinux.org at run time and holds no data.
#   Homebrew  no file index exists: the formula JSON API
#             (formulae.brew.sh/api: name, versions, keg_only,
#             dependencies, bottle URLs and checksums) and the formula
#             files list no installed files, and
#             Homebrew/homebrew-command-not-found's executables.txt lists
#             executables only, no .pc files, headers or libraries.
#
# What is kept (a table of what a cgo build asks for, not all of Debian):
#   p NAME      every NAME.pc in /usr/lib/<triplet>/pkgconfig,
#               /usr/lib/pkgconfig and /usr/share/pkgconfig
#   h H         headers directly in /usr/include (and the multiarch
#               /usr/include/<triplet>): each file
#   h DIR/      a directory of headers one or two levels down whose files
#               all come from the same package(s) (rocksdb/, X11/Xcursor/)
#   h DIR/H     each file of such a directory one level down that several
#               packages share (alsa/asoundlib.h, X11/Xlib.h), when the
#               directory has at most 400 files
#   l FILE      libNAME.so and libNAME.a in /lib/<triplet>, /usr/lib/<triplet>,
#               /lib and /usr/lib (what -lNAME opens)
#   g N/FILE    the same in gcc N's own directory /usr/lib/gcc/<triplet>/N
#               (libstdc++.so: libstdc++-N-dev)
#   b PROGRAM   C and C++ compilers in /usr/bin: names ending in gcc, cc,
#               clang, g++ or c++, with or without a version
#               (aarch64-linux-gnu-gcc: gcc-aarch64-linux-gnu), for a CC
#               that is not installed
# Alternatives (libcurl.pc is in three libcurl4-*-dev) are all listed.
#
# Usage: scripts/gen-distpkg.sh [OUT]   (default trace/distpkg/debian.tsv)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-trace/distpkg/debian.tsv}
command -v apt-file >/dev/null || { echo "gen-distpkg: apt-file is not installed (apt-get install apt-file && apt-file update)" >&2; exit 1; }
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
suite=$(. /etc/os-release && echo "$ID $VERSION_ID ($VERSION_CODENAME)")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
apt-file search -x "^/usr/(lib/$triplet/pkgconfig|lib/pkgconfig|share/pkgconfig)/[^/]+\.pc\$" >"$tmp/pc"
apt-file search -x "^/usr/include/($triplet/)?[^/]+(/[^/]+)?(/[^/]+)?\.(h|hh|hpp|hxx|H)\$" >"$tmp/h"
apt-file search -x "^/(usr/)?lib/($triplet/)?lib[^/]+\.(so|a)\$" >"$tmp/l"
apt-file search -x "^/usr/lib/gcc/$triplet/[0-9]+/lib[^/]+\.(so|a)\$" >"$tmp/g"
apt-file search -x "^/usr/bin/[^/]*(gcc|cc|clang|g\+\+|c\+\+)(-[0-9.]+)?\$" >"$tmp/b"
python3 - "$tmp" "$triplet" "$suite" "$out" <<'PY'
import collections, sys
tmp, triplet, suite, out = sys.argv[1:]

def read(name):
    for line in open(f"{tmp}/{name}"):
        pkg, path = line.rstrip("\n").split(": ", 1)
        yield pkg, path

rows = collections.defaultdict(set)
for pkg, path in read("pc"):
    rows[("p", path.rsplit("/", 1)[1][:-3])].add(pkg)
for pkg, path in read("l"):
    rows[("l", path.rsplit("/", 1)[1])].add(pkg)
for pkg, path in read("b"):
    rows[("b", path.rsplit("/", 1)[1])].add(pkg)
for pkg, path in read("g"):
    parts = path.split("/")
    rows[("g", parts[-2] + "/" + parts[-1])].add(pkg)

owners = collections.defaultdict(set)  # header path -> packages
for pkg, path in read("h"):
    rel = path[len("/usr/include/"):]
    if rel.startswith(triplet + "/"):
        rel = rel[len(triplet) + 1:]
    owners[rel].add(pkg)
bydir = collections.defaultdict(dict)
for rel, pkgs in owners.items():
    d = rel.rsplit("/", 1)[0] if "/" in rel else ""
    bydir[d][rel] = frozenset(pkgs)
for d, files in bydir.items():
    depth = 0 if d == "" else d.count("/") + 1
    sets = set(files.values())
    if depth == 0 or (depth == 1 and len(sets) > 1 and len(files) <= 400):
        for rel, pkgs in files.items():
            rows[("h", rel)] |= pkgs
    elif len(sets) == 1 and depth <= 2:
        rows[("h", d + "/")] |= next(iter(sets))

# Written plain: cgotrace embeds it as it is and searches it in place
# (decompressing it cost a failed build 16 ms).
with open(out, "wb") as f:
    f.write(f"# Debian packages by file, from the Contents index of {suite} (main, {triplet} and all) via apt-file; scripts/gen-distpkg.sh\n".encode())
    for (kind, key), pkgs in sorted(rows.items()):
        f.write(f"{kind}\t{key}\t{','.join(sorted(pkgs))}\n".encode())
print(f"gen-distpkg: {len(rows)} rows -> {out}", file=sys.stderr)
PY
ls -l "$out"
