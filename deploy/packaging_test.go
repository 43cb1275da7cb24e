package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// readYAML decodes a file of the repository (relative to its root).
func readYAML(t *testing.T, path string, v any) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return data
}

// help returns `clusterscribe <args> --help`, failing when the command
// does not exist (an unknown subcommand shows its parent's help).
func help(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, append(args, "--help")...).CombinedOutput()
	if err != nil {
		t.Fatalf("clusterscribe %s --help: %v\n%s", strings.Join(args, " "), err, out)
	}
	if usage := "Usage:\n  clusterscribe " + strings.Join(args, " "); !strings.Contains(string(out), usage) {
		t.Fatalf("clusterscribe %s is not a command:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

// checkCommandLine checks a shell line that runs clusterscribe: the
// subcommand exists and takes every --flag the line passes.
func checkCommandLine(t *testing.T, bin, where, line string) {
	t.Helper()
	fields := strings.Fields(line[strings.Index(line, "clusterscribe "):])[1:]
	var sub []string
	for _, f := range fields {
		if !regexp.MustCompile(`^[a-z]+$`).MatchString(f) {
			break
		}
		sub = append(sub, f)
	}
	h := help(t, bin, sub...)
	for _, f := range fields {
		flag, ok := strings.CutPrefix(f, "--")
		if !ok {
			continue
		}
		flag, _, _ = strings.Cut(flag, "=")
		if !regexp.MustCompile(`--` + regexp.QuoteMeta(flag) + `\b`).MatchString(h) {
			t.Errorf("%s: clusterscribe %s has no flag --%s", where, strings.Join(sub, " "), flag)
		}
	}
}

// TestGitHubAction: action.yml is a composite action whose steps run real
// commands with real flags, read only declared inputs, and upload SARIF.
func TestGitHubAction(t *testing.T) {
	var action struct {
		Name        string                    `json:"name"`
		Description string                    `json:"description"`
		Author      string                    `json:"author"`
		Branding    map[string]string         `json:"branding"`
		Inputs      map[string]map[string]any `json:"inputs"`
		Outputs     map[string]map[string]any `json:"outputs"`
		Runs        struct {
			Using string `json:"using"`
			Steps []struct {
				ID    string            `json:"id"`
				Name  string            `json:"name"`
				If    string            `json:"if"`
				Uses  string            `json:"uses"`
				Shell string            `json:"shell"`
				Run   string            `json:"run"`
				Env   map[string]string `json:"env"`
				With  map[string]string `json:"with"`
			} `json:"steps"`
		} `json:"runs"`
	}
	data := readYAML(t, "action.yml", &action)
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", action.Runs.Using)
	}
	for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := action.Inputs[m[1]]; !ok {
			t.Errorf("action.yml reads inputs.%s, which it does not declare", m[1])
		}
	}
	ids := map[string]bool{}
	var uses []string
	for _, s := range action.Runs.Steps {
		ids[s.ID] = true
		if s.Uses != "" {
			uses = append(uses, s.Uses[:strings.Index(s.Uses+"@", "@")])
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %q runs a script without a shell (composite actions need one)", s.Name)
		}
	}
	for _, m := range regexp.MustCompile(`steps\.([a-z-]+)\.`).FindAllStringSubmatch(string(data), -1) {
		if !ids[m[1]] {
			t.Errorf("action.yml reads steps.%s, which no step is", m[1])
		}
	}
	if !slices.Contains(uses, "github/codeql-action/upload-sarif") {
		t.Errorf("no step uploads SARIF: %v", uses)
	}
	bin, _ := installed(t)
	lines := 0
	for _, s := range action.Runs.Steps {
		for _, l := range strings.Split(s.Run, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "clusterscribe ") {
				lines++
				checkCommandLine(t, bin, "action.yml step "+s.Name, l)
				if !strings.Contains(l, "sarif") {
					t.Errorf("action.yml: %q does not write SARIF", l)
				}
			}
		}
	}
	if lines != 2 {
		t.Errorf("action.yml runs clusterscribe %d times, want policy test and audit", lines)
	}
}

// TestPreCommitHook: the hook runs `clusterscribe policy test` on
// manifests, built by pre-commit's golang language from this module.
func TestPreCommitHook(t *testing.T) {
	var hooks []struct {
		ID            string   `json:"id"`
		Name          string   `json:"name"`
		Description   string   `json:"description"`
		Entry         string   `json:"entry"`
		Language      string   `json:"language"`
		Files         string   `json:"files"`
		Exclude       string   `json:"exclude"`
		Types         []string `json:"types"`
		RequireSerial bool     `json:"require_serial"`
	}
	readYAML(t, ".pre-commit-hooks.yaml", &hooks)
	if len(hooks) != 1 || hooks[0].ID != "clusterscribe-policy-test" || hooks[0].Language != "golang" {
		t.Fatalf("hooks: %+v", hooks)
	}
	files := regexp.MustCompile(hooks[0].Files)
	for name, want := range map[string]bool{"deploy/app.yaml": true, "k8s/svc.yml": true, "x.json": true, "main.go": false} {
		if files.MatchString(name) != want {
			t.Errorf("files %q matches %s: %v", hooks[0].Files, name, !want)
		}
	}
	bin, _ := installed(t)
	checkCommandLine(t, bin, ".pre-commit-hooks.yaml", hooks[0].Entry)
}

type goreleaser struct {
	Version     int    `json:"version"`
	ProjectName string `json:"project_name"`
	Before      struct {
		Hooks []string `json:"hooks"`
	} `json:"before"`
	Builds []struct {
		ID      string   `json:"id"`
		Main    string   `json:"main"`
		Binary  string   `json:"binary"`
		Env     []string `json:"env"`
		Flags   []string `json:"flags"`
		Ldflags []string `json:"ldflags"`
		Goos    []string `json:"goos"`
		Goarch  []string `json:"goarch"`
		ModTS   string   `json:"mod_timestamp"`
	} `json:"builds"`
	Archives []struct {
		ID              string   `json:"id"`
		IDs             []string `json:"ids"`
		NameTemplate    string   `json:"name_template"`
		Formats         []string `json:"formats"`
		FormatOverrides []struct {
			Goos    string   `json:"goos"`
			Formats []string `json:"formats"`
		} `json:"format_overrides"`
		Files []string `json:"files"`
	} `json:"archives"`
	Checksum  map[string]string   `json:"checksum"`
	Sboms     []map[string]string `json:"sboms"`
	Source    map[string]bool     `json:"source"`
	Snapshot  map[string]string   `json:"snapshot"`
	Changelog struct {
		Sort    string              `json:"sort"`
		Filters map[string][]string `json:"filters"`
	} `json:"changelog"`
	Release map[string]map[string]string `json:"release"`
}

// TestGoreleaser: multi-arch binaries of the real main package, the
// version stamped into variables that exist, an SBOM, and archives named
// as the krew manifest downloads them.
func TestGoreleaser(t *testing.T) {
	var g goreleaser
	readYAML(t, ".goreleaser.yaml", &g)
	if g.Version != 2 || len(g.Builds) != 1 || len(g.Archives) != 1 {
		t.Fatalf("want goreleaser v2 with one build and one archive: %+v", g)
	}
	b := g.Builds[0]
	main, err := os.ReadFile(filepath.Join("..", b.Main, "main.go"))
	if err != nil || !bytes.Contains(main, []byte("\npackage main\n")) {
		t.Errorf("builds.main %s is not a main package: %v", b.Main, err)
	}
	for _, l := range b.Ldflags {
		for _, m := range regexp.MustCompile(`-X ([^=]+)\.(\w+)=`).FindAllStringSubmatch(l, -1) {
			dir := strings.TrimPrefix(m[1], "github.com/clusterscribe/clusterscribe/")
			src, _ := os.ReadFile(filepath.Join("..", dir, filepath.Base(dir)+".go"))
			if !regexp.MustCompile(`(?m)^\s+` + m[2] + `\s+=\s+"`).Match(src) {
				t.Errorf("ldflags set %s.%s, which is no string variable", m[1], m[2])
			}
		}
	}
	for _, want := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, want) {
			t.Errorf("goos %v lacks %s", b.Goos, want)
		}
	}
	for _, want := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, want) {
			t.Errorf("goarch %v lacks %s", b.Goarch, want)
		}
	}
	if len(g.Sboms) == 0 {
		t.Error("no SBOM")
	}

	krew := krewManifest(t)
	a := g.Archives[0]
	for _, p := range krew.Spec.Platforms {
		os, arch := p.Selector.MatchLabels["os"], p.Selector.MatchLabels["arch"]
		if !slices.Contains(b.Goos, os) || !slices.Contains(b.Goarch, arch) {
			t.Errorf("krew platform %s/%s is not built", os, arch)
		}
		format := a.Formats[0]
		for _, o := range a.FormatOverrides {
			if o.Goos == os {
				format = o.Formats[0]
			}
		}
		name := strings.NewReplacer("{{ .ProjectName }}", g.ProjectName, "{{ .Os }}", os, "{{ .Arch }}", arch).Replace(a.NameTemplate)
		if want := "/" + name + "." + format; !strings.HasSuffix(p.URI, want) {
			t.Errorf("krew %s/%s downloads %s, goreleaser names the archive %s", os, arch, p.URI, want)
		}
		bin := b.Binary
		if os == "windows" {
			bin += ".exe"
		}
		if p.Bin != bin {
			t.Errorf("krew %s/%s: bin %q, the archive holds %q", os, arch, p.Bin, bin)
		}
	}
}

type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		Homepage         string `json:"homepage"`
		ShortDescription string `json:"shortDescription"`
		Description      string `json:"description"`
		Caveats          string `json:"caveats"`
		Platforms        []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			Sha256 string `json:"sha256"`
			Bin    string `json:"bin"`
		} `json:"platforms"`
	} `json:"spec"`
}

// krewManifest renders deploy/krew/clusterscribe.yaml the way
// krew-release-bot does for tag v0.1.0.
func krewManifest(t *testing.T) krewPlugin {
	t.Helper()
	data, err := os.ReadFile("krew/clusterscribe.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := regexp.MustCompile(`\{\{ addURIAndSha "([^"]+)" \.TagName \}\}`).ReplaceAllStringFunc(string(data), func(m string) string {
		url := regexp.MustCompile(`"([^"]+)"`).FindStringSubmatch(m)[1]
		return fmt.Sprintf("uri: %s\n      sha256: %s", url, strings.Repeat("0", 64))
	})
	s = strings.ReplaceAll(s, "{{ .TagName }}", "v0.1.0")
	var p krewPlugin
	if err := yaml.UnmarshalStrict([]byte(s), &p); err != nil {
		t.Fatalf("deploy/krew/clusterscribe.yaml: %v\n%s", err, s)
	}
	return p
}

// TestKrewManifest: a krew Plugin named clusterscribe (so `kubectl
// clusterscribe`), for every platform released.
func TestKrewManifest(t *testing.T) {
	p := krewManifest(t)
	if p.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || p.Kind != "Plugin" || p.Metadata.Name != "clusterscribe" {
		t.Errorf("not the clusterscribe krew Plugin: %s %s %s", p.APIVersion, p.Kind, p.Metadata.Name)
	}
	if len(p.Spec.Platforms) != 6 || p.Spec.Version != "v0.1.0" || len(p.Spec.ShortDescription) > 64 {
		t.Errorf("spec: %+v", p.Spec)
	}
	for _, pl := range p.Spec.Platforms {
		if !strings.Contains(pl.URI, "/releases/download/v0.1.0/") {
			t.Errorf("platform %v downloads %s", pl.Selector.MatchLabels, pl.URI)
		}
	}
}

// TestShippedManifestsPassPolicies is `kubectl kustomize deploy/kustomize |
// clusterscribe policy test -`: the manifests we ship pass our own bundled
// policies (exit 0), and the one deliberate exception (the read-everything
// ClusterRole and rbac-wildcard) is listed with its reason, not hidden.
func TestShippedManifestsPassPolicies(t *testing.T) {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), "kustomize")
	if err != nil {
		t.Fatalf("kustomize build deploy/kustomize: %v", err)
	}
	manifests, err := m.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := installed(t)
	cmd := exec.Command(bin, "policy", "test", "-")
	cmd.Stdin = bytes.NewReader(manifests)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize deploy/kustomize | clusterscribe policy test -: %v\n%s", err, out)
	}
	for _, want := range []string{
		"ClusterRole.rbac.authorization.k8s.io clusterscribe-read",
		"rbac-wildcard — Wildcards in RBAC rules [exception]",
		"excepted    clusterscribe reads every kind",
		"no policy findings; 1 exception",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}
