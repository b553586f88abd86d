package render

import (
	"testing"

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
