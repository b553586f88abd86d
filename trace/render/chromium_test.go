package render

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHTMLInChromium opens the HTML report in a real headless Chromium
// (Debian package chromium) and checks what it rendered and that the page
// asked for nothing over the network.
//
// Network check, two detectors, both proven on a control page first:
//   - Chromium's net log (--log-net-log): every URL request the page
//     starts is a URL_REQUEST_START_JOB whose network isolation key is the
//     file:// page (Chromium's own background requests, which it makes
//     despite --disable-background-networking, have none);
//   - the console on stderr (--enable-logging=stderr): a fetch the page's
//     Content-Security-Policy blocked shows as a CSP violation.
//
// Set CGOTRACE_SCREENSHOT_DIR to keep the screenshots.
func TestHTMLInChromium(t *testing.T) {
	bin := ""
	for _, c := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(c); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium is not installed (Debian package chromium); skipping the browser test")
	}
	if testing.Short() {
		t.Skip("-short: skipping the browser test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()

	// 1. Control: prove both detectors see a fetch. The stylesheet is
	// allowed by the page's CSP and must show in the net log (and reach
	// the server); the image is blocked and must show on the console.
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/css")
	}))
	defer srv.Close()
	control := filepath.Join(dir, "control.html")
	htmlWriteFile(t, control, `<!DOCTYPE html><html><head>`+
		`<meta http-equiv="Content-Security-Policy" content="img-src 'none'">`+
		`<link rel="stylesheet" href="`+srv.URL+`/a.css"></head>`+
		`<body><p>control</p><img src="`+srv.URL+`/x.png"></body></html>`)
	res := htmlRunChromium(ctx, t, bin, dir, "control", control, "--dump-dom")
	if hits.Load() == 0 {
		t.Fatal("control page: the server saw no request; the control is broken")
	}
	if reqs := res.pageRequests(t); !htmlContainsPrefix(reqs, srv.URL+"/a.css") {
		t.Fatalf("control page: the net log detector missed the stylesheet request (page requests %q)", reqs)
	}
	if v := res.cspViolations(); len(v) == 0 {
		t.Fatalf("control page: the console detector missed the blocked image; stderr:\n%s", res.stderr)
	}

	// 2. The report, as the renderer writes it: the DOM and a screenshot
	// in light mode. 3. The same page without its CSP, in dark mode: the
	// page itself must not try to fetch anything even when allowed to.
	html := htmlRenderString(t, htmlFixtureDevMissingPC())
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`)
	if !csp.MatchString(html) {
		t.Fatal("no CSP meta to strip")
	}
	for _, run := range []struct {
		name, page string
		flags      []string
		bg, errBG  [3]uint8 // --bg, and --err-bg that fills the failed boxes
	}{
		{"light", html, []string{"--dump-dom"}, [3]uint8{0xff, 0xff, 0xff}, [3]uint8{0xff, 0xeb, 0xe9}},
		{"dark-nocsp", csp.ReplaceAllString(html, ""), []string{"--blink-settings=preferredColorScheme=0"},
			[3]uint8{0x0d, 0x11, 0x17}, [3]uint8{0x3c, 0x16, 0x18}},
	} {
		page := filepath.Join(dir, "report-"+run.name+".html")
		htmlWriteFile(t, page, run.page)
		shot := filepath.Join(dir, run.name+".png")
		args := append([]string{"--screenshot=" + shot, "--window-size=1200,1300", "--hide-scrollbars"}, run.flags...)
		res := htmlRunChromium(ctx, t, bin, dir, run.name, page, args...)
		res.assertOffline(t)
		if run.name == "light" {
			for _, want := range []string{
				"Build failed: library-dev-missing",
				"the linker cannot find -lgizmo, but the runtime library libgizmo.so.1 is installed",
				"install the -dev package of gizmo",
				"<code>main.go:3</code>",
				`<svg class="chain"`,
				`<g class="node failed"><title>cd /src/library-dev-missing-basic`,
				`<g class="node cause"><title>main.go:3: #cgo pkg-config: gizmo</title>`,
				"<title>pkg-config --libs -- gizmo\n.pc files: /src/library-dev-missing-basic/pkgconfig/gizmo.pc</title>",
				">gizmo.pc</text>",
				"/usr/bin/ld: cannot find -lgizmo: No such file or directory",
			} {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("rendered DOM lacks %q", want)
				}
			}
		}
		img := htmlReadPNG(t, shot)
		if got := htmlRGB(img, 5, 5); got != run.bg {
			t.Errorf("%s: background %v, want %v", run.name, got, run.bg)
		}
		// Only small badges elsewhere use --err-bg, so a large area of it
		// proves the SVG was drawn and styled.
		if n := htmlCountColor(img, run.errBG); n < 10000 {
			t.Errorf("%s: %d pixels of the failed-box fill %v, want > 10000 (diagram not drawn?)", run.name, n, run.errBG)
		}
		if keep := os.Getenv("CGOTRACE_SCREENSHOT_DIR"); keep != "" {
			data, _ := os.ReadFile(shot)
			if err := os.WriteFile(filepath.Join(keep, "html-"+run.name+".png"), data, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
}

type htmlChromiumResult struct {
	name           string
	stdout, stderr string
	netLog         string
}

// htmlRunChromium opens file in a fresh profile and returns its output.
func htmlRunChromium(ctx context.Context, t *testing.T, bin, dir, name, file string, extra ...string) htmlChromiumResult {
	t.Helper()
	profile := filepath.Join(dir, "profile-"+name)
	netLog := filepath.Join(dir, "netlog-"+name+".json")
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile,
		"--enable-logging=stderr", "--v=0",
		"--log-net-log=" + netLog,
		// Chromium phones home (update, time, account checks) despite
		// the flags above: send that to a closed port so the test never
		// uses the real network. Loopback bypasses the proxy, so the
		// control page still reaches its local server.
		"--proxy-server=http://127.0.0.1:9",
	}
	args = append(args, extra...)
	args = append(args, "file://"+file)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: chromium: %v\n%s", name, err, stderr.String())
	}
	t.Logf("%s: chromium ran %v", name, time.Since(start).Round(time.Millisecond))
	data, err := os.ReadFile(netLog)
	if err != nil {
		t.Fatalf("%s: no net log: %v", name, err)
	}
	return htmlChromiumResult{name: name, stdout: stdout.String(), stderr: stderr.String(), netLog: string(data)}
}

// pageRequests returns the URLs of the requests the file:// page started.
func (c htmlChromiumResult) pageRequests(t *testing.T) []string {
	t.Helper()
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
				NIK       string `json:"network_isolation_key"`
			} `json:"params"`
		} `json:"events"`
	}
	// Chromium may leave the closing "]}" off when it exits quickly.
	data := strings.TrimSpace(c.netLog)
	if !strings.HasSuffix(data, "}") || json.Unmarshal([]byte(data), &log) != nil {
		data = strings.TrimSuffix(strings.TrimSuffix(data, ","), "]") + "]}"
		if err := json.Unmarshal([]byte(data), &log); err != nil {
			t.Fatalf("%s: net log: %v", c.name, err)
		}
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok || len(log.Events) == 0 {
		t.Fatalf("%s: the net log has no URL_REQUEST_START_JOB type or no events", c.name)
	}
	var urls []string
	for _, e := range log.Events {
		if e.Type != start {
			continue
		}
		if strings.HasPrefix(e.Params.NIK, "file://") || e.Params.Initiator == "null" || strings.HasPrefix(e.Params.Initiator, "file:") {
			urls = append(urls, e.Params.URL)
		}
	}
	return urls
}

var htmlCSPRE = regexp.MustCompile(`(?m)^.*CONSOLE.*Content Security Policy.*$`)

func (c htmlChromiumResult) cspViolations() []string {
	return htmlCSPRE.FindAllString(c.stderr, -1)
}

func (c htmlChromiumResult) assertOffline(t *testing.T) {
	t.Helper()
	if reqs := c.pageRequests(t); len(reqs) > 0 {
		t.Errorf("%s: the page made network requests: %q", c.name, reqs)
	}
	if v := c.cspViolations(); len(v) > 0 {
		t.Errorf("%s: the page tried to fetch something its CSP blocked:\n%s", c.name, strings.Join(v, "\n"))
	}
}

func htmlContainsPrefix(ss []string, prefix string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func htmlWriteFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func htmlReadPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
		t.Fatalf("screenshot %s is %v", path, b)
	}
	return img
}

func htmlRGB(img image.Image, x, y int) [3]uint8 {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

func htmlCountColor(img image.Image, c [3]uint8) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if htmlRGB(img, x, y) == c {
				n++
			}
		}
	}
	return n
}
