package main

import (
	"github.com/spf13/cobra"
)

func newTestCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "test [--format F] [--output FILE] [--report-dir DIR] [--keep-work] [--no-rerun] [--cache-report] [--all-steps] [--go PATH] [--root DIR] [go test flags] [packages] [test binary flags]",
		Short: "Run go test instrumented and explain a build failure",
		Long: `test runs go test with your arguments, unchanged and in order, plus -x -work
and a recording PKG_CONFIG shim, and runs the tests. Standard output and
standard error show what plain go test prints (test output, -v, -run, -count
and -json as you gave them); the exit code is go test's. When a package
fails to build, cgotrace explains it as build does. When everything built
and tests failed, cgotrace adds no diagnosis: the report marks the
packages failed ("failed" and "test_failed"). The report goes to standard
error unless --output FILE (--output - for standard output).
Its own flags are long-form only; -- ends them.`,
		DisableFlagParsing: true,
		RunE:               goCmdRunE(g, "test"),
	}
}

func newInstallCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "install [--format F] [--output FILE] [--report-dir DIR] [--keep-work] [--no-rerun] [--cache-report] [--all-steps] [--go PATH] [--root DIR] [go install flags] [packages]",
		Short: "Run go install instrumented and explain why it failed",
		Long: `install runs go install with your arguments, unchanged and in order, plus
-x -json -work and a recording PKG_CONFIG shim, exactly as build runs go build:
the terminal shows what plain go install prints, a failure is explained, and
the exit code is go install's. Its own flags are long-form only; -- ends them.`,
		DisableFlagParsing: true,
		RunE:               goCmdRunE(g, "install"),
	}
}
