package render

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
	"github.com/google/shlex"
)

// TestFoldedCommandLine: a chain's command shows at most maxFileRun
// source files in a row; longer runs (cgo lists every .go file of its
// package) keep their first two and a count. The line is go1.26.8's -x
// line of github.com/linxGnu/grocksdb v1.11.1's cgo step, 52 files, with
// the objdir shortened.
func TestFoldedCommandLine(t *testing.T) {
	line := `/usr/local/go/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/ -importpath github.com/linxGnu/grocksdb -- -I $WORK/b002/ -O2 -g ./array.go ./backup.go ./cache.go ./cf_handle.go ./cf_metadata.go ./checkpoint.go ./compaction_filter.go ./comparator.go ./cuckoo_table.go ./db.go ./dbpath.go ./env.go ./export_import_file_metadata.go ./filter_policy.go ./import_column_family_option.go ./iterator.go ./livefiles.go ./logger.go ./mem_alloc.go ./memory_usage.go ./merge_operator.go ./non_builtin.go ./optimistic_transaction_db.go ./options.go ./options_backup.go ./options_block_based_table.go ./options_compaction.go ./options_env.go ./options_flush.go ./options_ingest.go ./options_read.go ./options_restore.go ./options_transaction.go ./options_transactiondb.go ./options_wait_for_compact.go ./options_write.go ./perf_context.go ./perf_level.go ./ratelimiter.go ./slice.go ./slice_transform.go ./snapshot.go ./sst_file_manager.go ./sst_file_writer.go ./stats.go ./transaction.go ./transactiondb.go ./util.go ./wal_iterator.go ./write_batch.go ./write_batch_wi.go ./write_buffer_manager.go`
	argv, err := shlex.Split(line)
	if err != nil {
		t.Fatal(err)
	}
	want := `/usr/local/go/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/ -importpath github.com/linxGnu/grocksdb -- -I $WORK/b002/ -O2 -g ./array.go ./backup.go … 50 more .go files`
	if got := foldedCommandLine(argv); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Up to maxFileRun files, and a run of mixed kinds, stay whole.
	for _, short := range [][]string{
		{"cgo", "--", "a.go", "b.go", "c.go", "d.go", "e.go", "f.go"},
		{"gcc", "a.c", "b.c", "c.c", "d.c", "x.o", "y.o", "z.o", "w.o", "-lm"},
	} {
		if got := foldedCommandLine(short); got != commandLine(short) {
			t.Errorf("%q folded to %s", short, got)
		}
	}
}

// TestChainDirectiveOrder: the chain shows first the #cgo line the
// diagnosis is at, then the lines of its stage. The lines are those
// go-sqlite3 v1.14.53 applies with -tags libsqlite3 on linux (its report:
// sqlite3.go:13-23 CFLAGS, then sqlite3_libsqlite3.go:11 CFLAGS and :12
// "#cgo linux LDFLAGS: -lsqlite3", ...); its static link's undefined
// symbols are at the -lsqlite3 line, 13th of 16.
func TestChainDirectiveOrder(t *testing.T) {
	var ds []trace.Directive
	for line := 13; line <= 23; line++ {
		ds = append(ds, trace.Directive{File: "sqlite3.go", Line: line, Verb: "CFLAGS", Args: []string{fmt.Sprintf("-DX%d", line)}})
	}
	ds = append(ds,
		trace.Directive{File: "sqlite3_libsqlite3.go", Line: 11, Verb: "CFLAGS", Args: []string{"-DUSE_LIBSQLITE3"}},
		trace.Directive{File: "sqlite3_libsqlite3.go", Line: 12, Verb: "LDFLAGS", Condition: "linux", Args: []string{"-lsqlite3"}},
		trace.Directive{File: "sqlite3_opt_serialize_omit.go", Line: 10, Verb: "CFLAGS", Args: []string{"-DSQLITE_OMIT_DESERIALIZE"}},
		trace.Directive{File: "sqlite3_other.go", Line: 12, Verb: "CFLAGS", Args: []string{"-I."}},
		trace.Directive{File: "sqlite3_other.go", Line: 13, Verb: "LDFLAGS", Condition: "linux", Args: []string{"-ldl"}})
	r := &trace.Report{Packages: []*trace.Package{{ImportPath: "github.com/mattn/go-sqlite3", Directives: ds}}}
	first := func(d diag.Diagnosis) []string {
		var out []string
		for _, n := range buildChain(r, &d).Nodes {
			if n.Stage == stageDirective && len(out) < 3 {
				out = append(out, n.Detail)
			}
		}
		return out
	}
	undef := diag.Diagnosis{Code: diag.UndefinedSymbol, Package: "github.com/mattn/go-sqlite3", Source: &diag.Source{File: "sqlite3_other.go", Line: 13}}
	if got := first(undef); !slices.Equal(got, []string{"sqlite3_other.go:13", "sqlite3_libsqlite3.go:12", "sqlite3.go:13"}) {
		t.Errorf("undefined symbol at sqlite3_other.go:13: chain begins %q", got)
	}
	undef.Source = nil
	if got := first(undef); !slices.Equal(got, []string{"sqlite3_libsqlite3.go:12", "sqlite3_other.go:13", "sqlite3.go:13"}) {
		t.Errorf("undefined symbol: chain begins %q", got)
	}
	hdr := diag.Diagnosis{Code: diag.HeaderNotFound, Package: "github.com/mattn/go-sqlite3"}
	if got := first(hdr); !slices.Equal(got, []string{"sqlite3.go:13", "sqlite3.go:14", "sqlite3.go:15"}) {
		t.Errorf("missing header: chain begins %q", got)
	}
}
