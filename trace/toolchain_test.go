package trace

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReportEnv(t *testing.T) {
	env := []string{
		"HOME=/root", "AWS_SECRET_ACCESS_KEY=x", "GITHUB_TOKEN=y",
		"GOPROXY=https://alice:s3cret@proxy.corp.example/mod,https://proxy.golang.org,direct",
		"GOFLAGS=-buildvcs=false", "CGO_LDFLAGS=-L/opt/lib", "CC=gcc",
		"PKG_CONFIG_PATH=/opt/pc", "GONOSUMDB=x", "GOPRIVATE=https://host/x?token=abc&x=1",
		"CGOTRACE_SHIM_RECORD=/tmp/r",
	}
	want := map[string]string{
		"GOPROXY":         "https://REDACTED@proxy.corp.example/mod,https://proxy.golang.org,direct",
		"GOFLAGS":         "-buildvcs=false",
		"CGO_LDFLAGS":     "-L/opt/lib",
		"CC":              "gcc",
		"PKG_CONFIG_PATH": "/opt/pc",
		"GONOSUMDB":       "x",
		"GOPRIVATE":       "https://host/x?token=REDACTED&x=1",
	}
	if d := cmp.Diff(want, reportEnv(env)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
