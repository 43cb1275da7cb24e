package report

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

// TestHTMLSelfContained checks that the page loads nothing from anywhere and
// that text from the cluster or the repo cannot inject markup.
func TestHTMLSelfContained(t *testing.T) {
	out := renderFormat(t, "html", fixtureReport())
	for _, forbidden := range []string{"<script", "<link", "<img", "<iframe", "<object", "<embed", " src=", "@import", "url(", `href="http`, `href="//`} {
		if strings.Contains(out, forbidden) {
			t.Errorf("HTML contains %q: the page must be self-contained and script-free", forbidden)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",               // problem message, escaped
		"uses the mutable tag &lt;latest&gt; &amp; no digest", // policy message, escaped
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks the escaped text %q", want)
		}
	}
}

// chromium finds the browser the HTML test renders with; its absence is a
// failure, never a skip.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: run `make chromium` (apt-get install chromium)")
	return ""
}

// artifactDir is where the test keeps what a human may want to look at:
// $CLUSTERSCRIBE_ARTIFACTS when set, else a temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CLUSTERSCRIBE_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifact dir: %v", err)
	}
	return dir
}

// runChromium runs headless Chromium on url with extra flags, in a fresh
// profile, and returns its standard output.
func runChromium(t *testing.T, bin, url string, flags ...string) []byte {
	t.Helper()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
	}, flags...)
	args = append(args, url)
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\nstderr:\n%s", strings.Join(flags, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// TestHTMLInChromium opens the rendered report in a real headless Chromium:
// the DOM it builds must hold the findings (counts, an object, a diff line,
// a compliance control), and a screenshot is kept as an artifact.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	dir := artifactDir(t)
	page := filepath.Join(dir, "audit-report.html")
	if err := os.WriteFile(page, []byte(renderFormat(t, "html", fixtureReport())), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.ToSlash(abs)
	t.Logf("report: %s", abs)

	dom := string(runChromium(t, bin, url, "--dump-dom"))
	checks := []struct {
		name string
		re   string
	}{
		{"modified count", `class="card card-modified"[^>]*data-count="3"`},
		{"missing live count", `class="card card-missing"[^>]*data-count="1"`},
		{"unmanaged count", `class="card card-unmanaged"[^>]*data-count="2"`},
		{"policy count", `class="card card-policy"[^>]*data-count="9"`},
		{"problems count", `class="card card-problems"[^>]*data-count="2"`},
		{"critical count", `data-severity="critical"><b>2</b>`},
		{"cluster", `<dd id="meta-cluster">prod-eu-west-1</dd>`},
		{"revision", `<code title="3f9c2a7d41e8b6c05a9d2e7f1b4c8a6d0e3f5b21">3f9c2a7d41e8</code>`},
		{"generated", `<time datetime="2026-03-14T09:30:00Z">2026-03-14 09:30:00 UTC</time>`},
		{"namespace table", `<div class="namespace" id="ns-shop">`},
		{"object name", `<div class="name">debug-shell</div>`},
		{"added diff line", `<span class="dl dl-add">\+        image: registry.acme.io/shop/web:1.42.1-hotfix</span>`},
		{"removed diff line", `<span class="dl dl-del">-        image: registry.acme.io/shop/web:1.42.0</span>`},
		{"failing control", `<tr class="control control-fail">\s*<td><span class="badge status-fail">FAIL</span></td>\s*<td><span class="control-id">5.1.1</span>`},
		{"passing control", `<tr class="control control-pass">\s*<td><span class="badge status-pass">PASS</span></td>\s*<td><span class="control-id">5.2.3</span>`},
		{"control failing object", `<span class="obj" title="ClusterRoleBinding.rbac.authorization.k8s.io oncall-admin"><span class="obj-kind">ClusterRoleBinding</span> <span class="obj-name">oncall-admin</span></span>`},
		{"problem with line", `<code class="source">clusters/<wbr>prod/<wbr>shop/<wbr>broken.yaml:12</code>`},
		{"escaped injection", `&lt;script&gt;alert\(1\)&lt;/script&gt;`},
	}
	for _, c := range checks {
		if !regexp.MustCompile(c.re).MatchString(dom) {
			t.Errorf("Chromium's DOM lacks the %s (%s)", c.name, c.re)
		}
	}
	if strings.Contains(dom, "<script") {
		t.Error("Chromium's DOM holds a script element")
	}
	secretscan.Check(t, "Chromium's DOM", dom)

	shot := filepath.Join(dir, "audit-report.png")
	runChromium(t, bin, url, "--screenshot="+shot, "--window-size=1280,6000")
	t.Logf("screenshot: %s", shot)
	raw, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 6000 {
		t.Errorf("screenshot is %dx%d, want 1280x6000", b.Dx(), b.Dy())
	}
	// The stylesheet was applied: the masthead is dark, the page below light.
	if l := luminance(img, 20, 20); l > 0.2 {
		t.Errorf("masthead pixel luminance %.2f, want a dark masthead (inline CSS not applied?)", l)
	}
	if l := luminance(img, 5, 1200); l < 0.8 {
		t.Errorf("page background luminance %.2f, want a light page", l)
	}
}

func luminance(img image.Image, x, y int) float64 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}
