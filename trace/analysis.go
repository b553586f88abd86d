package trace

import (
	"context"

	"github.com/cgotrace/cgotrace/buildlog"
)

// analysis turns a finished build into the report.
type analysis struct {
	o     *BuildOptions
	goEnv GoEnv
	env   []string
	log   *buildlog.Log
	rep   *Report
	shim  *buildShim
}

func (a *analysis) run(ctx context.Context, code int) {}
