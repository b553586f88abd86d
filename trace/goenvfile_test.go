package trace

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGoSettingEnvFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "env")
	env := []string{"GOENV=" + file}
	if got := goSetting(env, "CC", "gcc"); got != "gcc" {
		t.Errorf("no file: CC = %q, want the default", got)
	}
	if err := os.WriteFile(file, []byte("CC=\n CC=clang \nCXX=clang++\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := goSetting(env, "CC", "gcc"); got != "clang" {
		t.Errorf("CC = %q, want clang (an empty CC= line is skipped)", got)
	}
	if got := goSetting(append(env, "CC=tcc"), "CC", "gcc"); got != "tcc" {
		t.Errorf("CC = %q, want the environment's tcc", got)
	}
	// go env -w rewrites the file: the cached parse must not be used.
	if err := os.WriteFile(file, []byte("CC=x86_64-linux-gnu-gcc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := goSetting(env, "CC", "gcc"); got != "x86_64-linux-gnu-gcc" {
		t.Errorf("after a rewrite: CC = %q", got)
	}
	if got := goSetting(env, "CXX", "g++"); got != "g++" {
		t.Errorf("after a rewrite: CXX = %q, want the default", got)
	}
	if got := goSetting([]string{"GOENV=off"}, "CC", "gcc"); got != "gcc" {
		t.Errorf("GOENV=off: CC = %q", got)
	}
}
