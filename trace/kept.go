package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// Answers that cost a failed build's diagnosis a process each (go env,
// `$CC -dumpmachine`, a header probe's `gcc -v -E`) are kept between runs
// in the user cache directory, under cgotrace/<kind>/<key>.json. The key
// is a hash of everything the answer depends on: the variables the
// program reads, and the identity (path, size, times, inode) of every file
// it reads or runs. A change to any of them is a new key, so a kept
// answer is one the program would give again; nothing is ever updated in
// place. Each kind keeps its keptMax newest files.

// keptMax is how many answers of one kind are kept.
const keptMax = 64

// keptDir is the directory of kind's answers for the build's
// environment (XDG_CACHE_HOME, else HOME/.cache, as os.UserCacheDir), ""
// when it names none.
func keptDir(env []string, kind string) string {
	var base string
	if v, _ := envValue(env, "XDG_CACHE_HOME"); v != "" {
		if !filepath.IsAbs(v) {
			return ""
		}
		base = v
	} else if h, _ := envValue(env, "HOME"); h != "" {
		base = filepath.Join(h, ".cache")
	} else {
		return ""
	}
	return filepath.Join(base, "cgotrace", kind)
}

// keptKey hashes what an answer depends on.
type keptKey struct{ h hash.Hash }

func newKeptKey(kind string) *keptKey {
	k := &keptKey{h: sha256.New()}
	k.add("cgotrace kept v1", kind)
	return k
}

// add adds strings, each terminated so that ("ab","c") != ("a","bc").
func (k *keptKey) add(parts ...string) {
	for _, p := range parts {
		fmt.Fprintf(k.h, "%d:%s\x00", len(p), p)
	}
}

// file adds the identity of the file at path (following symlinks), or
// that there is none.
func (k *keptKey) file(path string) {
	k.add("file", path)
	fi, err := os.Stat(path)
	if err != nil {
		k.add("absent")
		return
	}
	k.add(fileIdentity(fi))
}

// fileIdentity is what changes when a file is replaced or written to:
// size, modification and change times, inode and device.
func fileIdentity(fi os.FileInfo) string {
	s := fmt.Sprintf("%d %d %o", fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s += fmt.Sprintf(" %d.%d %d %d", st.Ctim.Sec, st.Ctim.Nsec, st.Ino, st.Dev)
	}
	return s
}

// name is the key's file name.
func (k *keptKey) name() string {
	return hex.EncodeToString(k.h.Sum(nil)[:16]) + ".json"
}

// readKept reads a kept answer into v; false when there is none (or it
// cannot be read: the caller then asks the program).
func readKept(file string, v any) bool {
	if file == "" {
		return false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	return json.Unmarshal(data, v) == nil
}

// writeKept writes v to file by rename, so that a concurrent run reads
// the old file or the new one, never half of one, and then removes the
// oldest files of the directory beyond keptMax. A failure only means
// that the next run asks again.
func writeKept(file string, v any) {
	if file == "" {
		return
	}
	data, err := json.Marshal(v)
	dir := filepath.Dir(file)
	if err != nil || os.MkdirAll(dir, 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".kept-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
		return
	}
	pruneKept(dir, keptMax)
}

// pruneKept removes the oldest .json files of dir beyond max.
func pruneKept(dir string, max int) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= max {
		return
	}
	type aged struct {
		name string
		mod  int64
	}
	var files []aged
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".json" {
			continue
		}
		if fi, err := e.Info(); err == nil {
			files = append(files, aged{e.Name(), fi.ModTime().UnixNano()})
		}
	}
	if len(files) <= max {
		return
	}
	slices.SortFunc(files, func(a, b aged) int {
		switch {
		case a.mod < b.mod:
			return -1
		case a.mod > b.mod:
			return 1
		}
		return 0
	})
	for _, f := range files[:len(files)-max] {
		os.Remove(filepath.Join(dir, f.name))
	}
}
