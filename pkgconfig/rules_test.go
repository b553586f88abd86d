package pkgconfig

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/rules.golden from the installed pkgconf")

// ruleCase is one hermetic fixture: .pc files in directories under a temp
// root, an environment, and the query. Paths in files and env may use
// @ROOT@ for the temp root.
type ruleCase struct {
	name   string
	files  map[string]string // relative path → content
	env    []string
	query  []string
	static bool
	dir    string   // working directory, relative to the root
	flags  []string // more pkg-config flags: --pure, --shared, --env-only
}

func pc(name, extra string) string {
	return "Name: " + name + "\nDescription: test\nVersion: 1.0\n" + extra
}

var ruleCases = []ruleCase{
	{name: "first-dir-wins", files: map[string]string{"a/dup.pc": pc("dup", "Libs: -lfirst\n"), "b/dup.pc": pc("dup", "Libs: -lsecond\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a:@ROOT@/b", "PKG_CONFIG_LIBDIR="}, query: []string{"dup"}},
	{name: "path-order-reversed", files: map[string]string{"a/dup.pc": pc("dup", "Libs: -lfirst\n"), "b/dup.pc": pc("dup", "Libs: -lsecond\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/b::@ROOT@/missing:@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"dup"}},
	{name: "libdir-empty-means-no-defaults", files: map[string]string{"a/x.pc": pc("x", "")},
		env: []string{"PKG_CONFIG_LIBDIR="}, query: []string{"zlib"}},
	{name: "libdir-after-path", files: map[string]string{"a/x.pc": pc("x", "Requires: y\nLibs: -lx\n"), "b/y.pc": pc("y", "Libs: -ly\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=@ROOT@/b"}, query: []string{"x"}},
	{name: "invalid-file-skipped", files: map[string]string{"a/v.pc": "Name: v\nVersion: 1\nLibs: -lbad\n", "b/v.pc": pc("v", "Libs: -lgood\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a:@ROOT@/b", "PKG_CONFIG_LIBDIR="}, query: []string{"v"}},
	{name: "invalid-only", files: map[string]string{"a/v.pc": "Name: v\nDescription: no version\nLibs: -lbad\n"},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"v"}},
	{name: "system-dirs-filtered", files: map[string]string{"a/s.pc": pc("s", "Cflags: -I/usr/include -I/usr/include/ -I /usr/include -I//usr/include -I/opt/s/include\nLibs: -L/usr/lib -L/usr/lib/x86_64-linux-gnu -L/lib -L/opt/s/lib -ls\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"s"}},
	{name: "allow-system-any-value", files: map[string]string{"a/s.pc": pc("s", "Cflags: -I/usr/include -I/opt/s/include\nLibs: -L/usr/lib -ls\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=0", "PKG_CONFIG_ALLOW_SYSTEM_LIBS="}, query: []string{"s"}},
	{name: "cpath-library-path-filter", files: map[string]string{"a/s.pc": pc("s", "Cflags: -I/opt/c -I/opt/ci -I/opt/cpp -I/opt/keep\nLibs: -L/opt/lp -L/opt/keep -ls\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "CPATH=/opt/c", "C_INCLUDE_PATH=/opt/ci:", "CPLUS_INCLUDE_PATH=/opt/cpp", "LIBRARY_PATH=/opt/lp"}, query: []string{"s"}},
	{name: "system-path-replaced", files: map[string]string{"a/s.pc": pc("s", "Cflags: -I/usr/include -I/opt/x\nLibs: -L/usr/lib -L/opt/y -ls\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_SYSTEM_INCLUDE_PATH=/opt/x", "PKG_CONFIG_SYSTEM_LIBRARY_PATH=/opt/y"}, query: []string{"s"}},
	{name: "sysroot", files: map[string]string{"a/s.pc": "prefix=/usr\nv=${prefix}/x\n" + pc("s", "Cflags: -I${prefix}/include -I/opt/y -isystem /z -DP=${pc_sysrootdir} -DV=${v} -I${pcfiledir}/inc\nLibs: -L${prefix}/lib -ls /usr/lib/libs.a\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_SYSROOT_DIR=/sr"}, query: []string{"s"}},
	{name: "sysroot-fdo-destdir", files: map[string]string{"a/s.pc": "prefix=/usr\n" + pc("s", "Cflags: -I${prefix}/include -DX=${prefix}\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_SYSROOT_DIR=/sr", "DESTDIR=/sr"}, query: []string{"s"}},
	{name: "version-ok", files: map[string]string{"a/top.pc": pc("top", "Requires: b >= 1.0, c < 2 d != 3\nLibs: -ltop\n"), "a/b.pc": pc("b", "Libs: -lb\n"), "a/c.pc": pc("c", ""), "a/d.pc": pc("d", "")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "version-mismatch", files: map[string]string{"a/top.pc": pc("top", "Requires: b >= 9.0\n"), "a/b.pc": pc("b", "")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "unknown-operator-ignored", files: map[string]string{"a/top.pc": pc("top", "Requires: b == 9.0, c =< 0.1\nLibs: -ltop\n"), "a/b.pc": pc("b", "Libs: -lb\n"), "a/c.pc": pc("c", "Libs: -lc\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "operator-without-blank", files: map[string]string{"a/top.pc": pc("top", "Requires: b >=9.0\n"), "a/b.pc": pc("b", "Libs: -lb\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "no-blanks-is-a-name", files: map[string]string{"a/top.pc": pc("top", "Requires: b>=1.0\n"), "a/b.pc": pc("b", "")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "query-with-version", files: map[string]string{"a/b.pc": pc("b", "Libs: -lb\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"b > 0.9", "b < 1.0"}},
	{name: "static", files: map[string]string{
		"a/top.pc":  pc("top", "Requires: mid\nRequires.private: priv\nLibs: -L/opt/top/lib -ltop\nLibs.private: -lm -lpthread\nCflags: -I/opt/top/include\nCflags.private: -DTOP_STATIC\n"),
		"a/mid.pc":  pc("mid", "Libs: -L/opt/mid/lib -lmid\nLibs.private: -ldl\nCflags: -I/opt/mid/include\n"),
		"a/priv.pc": pc("priv", "Libs: -L/opt/priv/lib -lpriv\nCflags: -I/opt/priv/include\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "static-on", static: true, files: map[string]string{
		"a/top.pc":  pc("top", "Requires: mid\nRequires.private: priv\nLibs: -L/opt/top/lib -ltop\nLibs.private: -lm -lpthread\nCflags: -I/opt/top/include\nCflags.private: -DTOP_STATIC\n"),
		"a/mid.pc":  pc("mid", "Libs: -L/opt/mid/lib -lmid\nLibs.private: -ldl\nCflags: -I/opt/mid/include\n"),
		"a/priv.pc": pc("priv", "Libs: -L/opt/priv/lib -lpriv\nCflags: -I/opt/priv/include\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "missing-private", files: map[string]string{"a/top.pc": pc("top", "Requires.private: gone\nLibs: -ltop\nCflags: -DTOP\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "deep-missing", files: map[string]string{"a/vips.pc": pc("vips", "Requires: glib-2.0\n"), "a/glib-2.0.pc": pc("glib-2.0", "Requires: libffi\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"vips"}},
	{name: "syntax", files: map[string]string{"a/syn.pc": "# comment\n  prefix = /opt/p \ninc=${prefix}/include # trailing\nNAME: syn\ndescription: x\nVERSION: 1.2.3 extra\r\nCFLAGS: -I${early} -I${inc} -DHASH=a\\#b \\\n   -DJOINED\r\nearly=/late\nLibs: -L${prefix}/lib -lsyn # -lcomment\nlibs.PRIVATE: -lz\nCflags: -DSECOND $${inc} $$inc\n"},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"syn"}},
	{name: "quoting", files: map[string]string{"a/q.pc": pc("q", "Cflags: -DMSG=\\\"a\\ b\\\" -DD=a\\;b 'x y' \"q\\z\" -DP=(p) -DU=t\xc3\xabst\nLibs: -lq\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"q"}},
	{name: "dedup-and-merge", files: map[string]string{
		"a/h.pc": pc("h", "Requires: g\nCflags: -DFOO -I/opt/inc -isystem /x -pthread\nLibs: -lfoo -lc -Wl,--start-group -la -lb -Wl,--end-group -lfoo\n"),
		"a/g.pc": pc("g", "Cflags: -isystem /x -DFOO -I/opt/inc -pthread -DBAR -DFOO\nLibs: -L/opt/g -lfoo -Wl,--as-needed -L/opt/g -lc\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"h", "g"}},
	{name: "diamond-static", static: true, files: map[string]string{
		"a/A.pc": pc("A", "Requires: D\nLibs: -lA\nCflags: -DA\n"), "a/B.pc": pc("B", "Requires: D\nLibs: -lB\nCflags: -DB\n"),
		"a/D.pc": pc("D", "Requires.private: E\nLibs: -lD\nLibs.private: -lDp\nCflags: -DD\n"), "a/E.pc": pc("E", "Libs: -lE\nCflags: -DE\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"A", "B"}},
	{name: "cycle", files: map[string]string{"a/c1.pc": pc("c1", "Requires: c2\nLibs: -lc1\n"), "a/c2.pc": pc("c2", "Requires: c1\nLibs: -lc2\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"c1"}},
	{name: "uninstalled-preferred", files: map[string]string{"a/u.pc": pc("u", "Libs: -linst\n"), "a/u-uninstalled.pc": pc("u", "Libs: -luninst\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"u"}},
	{name: "uninstalled-disabled", files: map[string]string{"a/u.pc": pc("u", "Libs: -linst\n"), "a/u-uninstalled.pc": pc("u", "Libs: -luninst\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_DISABLE_UNINSTALLED=0"}, query: []string{"u"}},
	{name: "provides", files: map[string]string{"a/prov.pc": pc("prov", "Provides: virtualthing = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: virtualthing >= 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "conflicts", files: map[string]string{"a/conf2.pc": pc("conf2", "Requires: b\nConflicts: b >= 2.0\n"), "a/b.pc": "Name: b\nDescription: b\nVersion: 2.0\n"},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"conf2"}},
	{name: "internal", static: true, files: map[string]string{"a/i.pc": pc("i", "Requires.internal: e\nLibs: -li\nCflags: -DI\n"), "a/e.pc": pc("e", "Libs: -le\nCflags: -DE\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"i"}},
	{name: "pc-path-argument", files: map[string]string{"d/top.pc": pc("top", "Requires: mid\nCflags: -DTOP\n"), "d/mid.pc": pc("mid", "Cflags: -DMID -I${pcfiledir}\n")},
		env: []string{"PKG_CONFIG_LIBDIR="}, query: []string{"./d/top.pc"}, dir: "."},
	{name: "variable-undefined-and-redefined", files: map[string]string{"a/v.pc": "x=1\nx=2\n" + pc("v", "Cflags: -DX=${x} -DY=${nope} -DT=${pc_top_builddir}\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"v"}},
	{name: "sysroot-explicit-variable", files: map[string]string{"a/s.pc": "prefix=/usr\nlibdir=${pc_sysrootdir}${prefix}/lib\n" + pc("s", "Cflags: -I${pc_sysrootdir}${prefix}/include -I${pc_sysrootdir}/opt/x\nLibs: -L${libdir} -ls\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_SYSROOT_DIR=/sr"}, query: []string{"s"}},
	{name: "sysroot-set-but-empty", files: map[string]string{"a/s.pc": "prefix=/usr\n" + pc("s", "Cflags: -I${prefix}/include -I/opt/y -DP=${pc_sysrootdir}\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_SYSROOT_DIR="}, query: []string{"s"}},
	{name: "top-builddir", files: map[string]string{"a/t.pc": pc("t", "Cflags: -I${pc_top_builddir}/include\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_TOP_BUILD_DIR=/build"}, query: []string{"t"}},
	{name: "static-pure", static: true, flags: []string{"--pure"}, files: map[string]string{
		"a/top.pc":  pc("top", "Requires: mid\nRequires.private: priv\nLibs: -L/opt/top/lib -ltop\nLibs.private: -lm -lpthread\nCflags: -I/opt/top/include\nCflags.private: -DTOP_STATIC\n"),
		"a/mid.pc":  pc("mid", "Libs: -L/opt/mid/lib -lmid\nLibs.private: -ldl\nCflags: -I/opt/mid/include\n"),
		"a/priv.pc": pc("priv", "Libs: -L/opt/priv/lib -lpriv\nCflags: -I/opt/priv/include\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "static-pure-env", static: true, files: map[string]string{
		"a/top.pc":  pc("top", "Requires: mid\nRequires.private: priv\nLibs: -L/opt/top/lib -ltop\nLibs.private: -lm -lpthread\nCflags: -I/opt/top/include\nCflags.private: -DTOP_STATIC\n"),
		"a/mid.pc":  pc("mid", "Libs: -L/opt/mid/lib -lmid\nLibs.private: -ldl\nCflags: -I/opt/mid/include\n"),
		"a/priv.pc": pc("priv", "Libs: -L/opt/priv/lib -lpriv\nCflags: -I/opt/priv/include\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_PURE_DEPGRAPH=1"}, query: []string{"top"}},
	{name: "static-shared", static: true, flags: []string{"--shared"}, files: map[string]string{
		"a/top.pc":  pc("top", "Requires: mid\nRequires.private: priv\nLibs: -L/opt/top/lib -ltop\nLibs.private: -lm -lpthread\nCflags: -I/opt/top/include\nCflags.private: -DTOP_STATIC\n"),
		"a/mid.pc":  pc("mid", "Libs: -L/opt/mid/lib -lmid\nLibs.private: -ldl\nCflags: -I/opt/mid/include\n"),
		"a/priv.pc": pc("priv", "Libs: -L/opt/priv/lib -lpriv\nCflags: -I/opt/priv/include\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"top"}},
	{name: "env-only", flags: []string{"--env-only"}, files: map[string]string{"a/x.pc": pc("x", "Requires: y\n"), "b/y.pc": pc("y", "")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR=@ROOT@/b"}, query: []string{"x"}},
	{name: "provides-1", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-2", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 1.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-3", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-4", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-5", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-6", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-7", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt <= 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-8", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt != 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-9", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt > 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-10", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt = 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-11", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-12", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 1.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-13", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-14", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-15", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-16", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-17", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt <= 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-18", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt != 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-19", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt > 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-20", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt >= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-21", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-22", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 1.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-23", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-24", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-25", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-26", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-27", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt <= 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-28", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt != 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-29", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt > 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-30", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt <= 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-31", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-32", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 1.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-33", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-34", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-35", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-36", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-37", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt <= 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-38", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt != 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-39", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt > 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-40", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt != 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-41", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-42", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 1.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-43", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-44", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-45", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-46", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-47", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt <= 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-48", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt != 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-49", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt > 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-50", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-51", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-52", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 1.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-53", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-54", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-55", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-56", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-57", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt <= 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-58", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt != 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-59", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt > 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-60", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt > 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-61", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-62", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 1.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-63", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt >= 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-64", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-65", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt = 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-66", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 1.5\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-67", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt <= 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-68", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt != 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-69", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt > 2.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "provides-70", files: map[string]string{"a/prov.pc": pc("prov", "Provides: vt < 2.0\nLibs: -lprov\n"), "a/user.pc": pc("user", "Requires: vt < 3.0\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"user"}},
	{name: "absorb-next-special", files: map[string]string{
		"a/k2.pc": pc("k2", "Cflags: -isystem /x -pthread\n"), "a/p.pc": pc("p", "Cflags: -pthread\n"),
		"a/k4.pc": pc("k4", "Cflags: -nodefaultlibs -pthread -lib:x -pthread\n"), "a/k8.pc": pc("k8", "Cflags: -isystem /x /y -Wl,--as-needed -pthread\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"k2", "p", "k4", "p", "k8", "p"}},
	{name: "fragment-groups", files: map[string]string{"a/fg.pc": pc("fg", "Libs: -Wl,--start-group -la -lb -Wl,--end-group -nodefaultlibs -Wl,--start-group -la -lgcc -Wl,--end-group -Wl,--gc-sections\n")},
		env: []string{"PKG_CONFIG_PATH=@ROOT@/a", "PKG_CONFIG_LIBDIR="}, query: []string{"fg"}},
}

// pkgconfOutput is what pkgconf printed for one mode: exit code and stdout
// with trailing blanks removed.
func pkgconfOutput(rc int, out string) string {
	return fmt.Sprintf("%d %s", rc, strings.TrimRight(out, " \n"))
}

func setupRule(t *testing.T, tc ruleCase) (root string, env Env) {
	root = t.TempDir()
	for rel, content := range tc.files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(content, "@ROOT@", root)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range tc.env {
		env = append(env, strings.ReplaceAll(e, "@ROOT@", root))
	}
	return root, env
}

// normalize replaces the temp root in pkgconf's output.
func normalize(s, root string) string { return strings.ReplaceAll(s, root, "@ROOT@") }

func realPkgconf(t *testing.T, root string, env Env, tc ruleCase, mode string) (string, bool) {
	prog, err := exec.LookPath("pkgconf")
	if err != nil {
		return "", false
	}
	args := []string{mode}
	if tc.static {
		args = append(args, "--static")
	}
	args = append(args, tc.flags...)
	args = append(args, "--")
	args = append(args, tc.query...)
	cmd := exec.Command(prog, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	cmd.Dir = filepath.Join(root, tc.dir)
	out, err := cmd.Output()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return normalize(pkgconfOutput(rc, string(out)), root), true
}

func readGolden(t *testing.T) map[string]string {
	m := map[string]string{}
	f, err := os.Open("testdata/rules.golden")
	if err != nil {
		if *update {
			return m
		}
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "\t"); ok && !strings.HasPrefix(k, "#") {
			m[k] = v
		}
	}
	return m
}

// TestRules checks each fixture against testdata/rules.golden, which holds
// what the real pkgconf 1.8.1 printed (regenerate with -update, which runs
// pkgconf); when pkgconf is installed it is also run again and must agree.
func TestRules(t *testing.T) {
	golden := readGolden(t)
	var lines []string
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			root, env := setupRule(t, tc)
			opts := Options{Env: env, Dir: filepath.Join(root, tc.dir), Static: tc.static, Defaults: testDefaults()}
			for _, f := range tc.flags {
				switch f {
				case "--pure":
					opts.Pure = true
				case "--shared":
					opts.Shared = true
				case "--env-only":
					opts.EnvOnly = true
				}
			}
			res, err := Resolve(tc.query, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, mode := range []string{"--cflags", "--libs"} {
				ok, text := res.CflagsOK, res.CflagsText
				if mode == "--libs" {
					ok, text = res.LibsOK, res.LibsText
				}
				rc := 0
				if !ok {
					rc, text = 1, ""
				}
				got := normalize(pkgconfOutput(rc, text), root)
				key := tc.name + " " + mode
				if *update {
					real, found := realPkgconf(t, root, env, tc, mode)
					if !found {
						t.Fatal("-update needs pkgconf")
					}
					lines = append(lines, key+"\t"+real)
					golden[key] = real
				}
				want, ok := golden[key]
				if !ok {
					t.Fatalf("%s: no golden value (run go test -run TestRules -update)", key)
				}
				if got != want {
					t.Errorf("%s:\n  pkgconf: %q\n  ours:    %q", key, want, got)
				}
				if !*update {
					if real, found := realPkgconf(t, root, env, tc, mode); found && real != want {
						t.Errorf("%s: installed pkgconf now prints %q, golden has %q", key, real, want)
					}
				}
			}
		})
	}
	if *update {
		sort.Strings(lines)
		out := "# what pkgconf 1.8.1 printed for the fixtures of rules_test.go: exit code and stdout\n" +
			"# generated by: go test ./pkgconfig -run TestRules -update\n" + strings.Join(lines, "\n") + "\n"
		if err := os.WriteFile("testdata/rules.golden", []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
