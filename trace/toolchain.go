package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// goEnvVars are read with one `go env -json` call from go build's first
// action, for a failed build (or for the cache report). goEnvCgoVars are
// read with another, only where one is used (analysis.loadCgoVars):
// asking for PKG_CONFIG or any CGO_* variable makes go env run the C
// compiler (gcc -###), 21 ms of CPU against 6.
var goEnvVars = []string{
	"GOVERSION", "GOOS", "GOARCH", "GOHOSTOS", "GOHOSTARCH", "CGO_ENABLED", "CC", "CXX",
	"GOFLAGS", "GOCACHE", "GOROOT",
}

var goEnvCgoVars = []string{"PKG_CONFIG", "CGO_CPPFLAGS", "CGO_CFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS"}

// GoEnv holds `go env -json` values.
type GoEnv map[string]string

// readGoEnv runs `go env -json` once with the build's environment.
func readGoEnv(ctx context.Context, r Runner, goCmd, dir string, env []string, vars []string) (GoEnv, error) {
	var out, errb bytes.Buffer
	code, err := r.Run(ctx, Cmd{Name: goCmd, Args: append([]string{"env", "-json"}, vars...),
		Dir: dir, Env: env, Stdout: &out, Stderr: &errb})
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	if code != 0 {
		return nil, fmt.Errorf("go env: exit %d: %s", code, strings.TrimSpace(errb.String()))
	}
	ge := GoEnv{}
	if err := json.Unmarshal(out.Bytes(), &ge); err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	return ge, nil
}

// reportedEnvName reports whether an environment variable may be recorded
// in a report (report-v1 "Environment in reports").
func reportedEnvName(name string) bool {
	if strings.HasPrefix(name, "GO") || strings.HasPrefix(name, "CGO_") || strings.HasPrefix(name, "PKG_CONFIG") {
		return true
	}
	switch name {
	case "CC", "CXX", "AR", "LD_LIBRARY_PATH", "LIBRARY_PATH", "CPATH", "C_INCLUDE_PATH",
		"PATH", "SDKROOT", "MACOSX_DEPLOYMENT_TARGET":
		return true
	}
	return false
}

var secretQuery = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)([?&](?:token|access_token|auth|key|password|secret|sig|signature)=)[^&\s,|]*`)
})

// redact hides credentials in a recorded value: user:pass@ in URLs (as in
// GOPROXY lists) and token-like query parameters.
func redact(v string) string {
	if !strings.Contains(v, "@") && !strings.Contains(v, "=") {
		return v
	}
	// GOPROXY-style lists separate URLs with , or |.
	var b strings.Builder
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' || v[i] == '|' || v[i] == ' ' {
			b.WriteString(redactURL(v[start:i]))
			if i < len(v) {
				b.WriteByte(v[i])
			}
			start = i + 1
		}
	}
	return secretQuery().ReplaceAllString(b.String(), "${1}REDACTED")
}

func redactURL(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("REDACTED")
	return u.String()
}

// reportEnv selects and redacts the variables a report may keep.
func reportEnv(env []string) map[string]string {
	out := map[string]string{}
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !reportedEnvName(name) || strings.HasPrefix(name, "CGOTRACE_") {
			continue
		}
		out[name] = redact(val)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// envValue returns the last value of name in env.
func envValue(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// setEnv returns env with name=value replacing earlier values.
func setEnv(env []string, name, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); ok && k == name {
			continue
		}
		out = append(out, kv)
	}
	return append(out, name+"="+value)
}
