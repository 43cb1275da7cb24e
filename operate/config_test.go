package operate_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/operate"
	"github.com/clusterscribe/clusterscribe/policies"
)

const header = "apiVersion: clusterscribe.io/v1alpha1\nkind: Config\n"

// slackSecret is the secret part of a Slack webhook URL.
var slackSecret = secretscan.Canary()

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		file string
		want func(c *operate.Config)
	}{
		{
			name: "defaults",
			file: header,
			want: func(*operate.Config) {},
		},
		{
			name: "keys named like flags",
			file: header + `cluster-name: prod
qps: 7.5
namespaces: [team-a, team-b]
include-owned: true
record:
  repo: https://git.example.com/backup.git
  batch-window: 5s
  git-token-file: /etc/token
audit:
  declared: /srv/declared
  interval: 1h
policies:
  bundled-policies: true
  required-labels: ["team=^[a-z]+$"]
leader-election:
  enabled: false
alerts:
  drift: false
`,
			want: func(c *operate.Config) {
				c.ClusterName = "prod"
				c.API.QPS = 7.5
				c.Filters.Namespaces = []string{"team-a", "team-b"}
				c.Filters.IncludeOwned = true
				c.Record.Repo = "https://git.example.com/backup.git"
				c.Record.BatchWindow = 5 * time.Second
				c.Record.TokenFile = "/etc/token"
				c.Audit.Declared = "/srv/declared"
				c.Audit.Interval = metav1.Duration{Duration: time.Hour}
				c.Policies.BundledPolicies = true
				c.Policies.Params.RequiredLabels = policies.LabelRequirements{{Key: "team", AllowedRegex: "^[a-z]+$"}}
				c.LeaderElection.Enabled = false
				c.Alerts.Drift = false
			},
		},
		{
			name: "an empty value is the zero value",
			file: header + "alerts:\n  drift:\nnamespaces:\n",
			want: func(c *operate.Config) { c.Alerts.Drift = false },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := operate.Decode([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			want := operate.Default()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"no apiVersion", "kind: Config\n", []string{`apiVersion: missing; want "clusterscribe.io/v1alpha1"`}},
		{"wrong apiVersion", "apiVersion: clusterscribe.io/v2\nkind: Config\n", []string{`apiVersion: "clusterscribe.io/v2" is not supported`}},
		{"wrong kind", "apiVersion: clusterscribe.io/v1alpha1\nkind: Deployment\n", []string{`kind: "Deployment" is not supported`}},
		{"not a mapping", "- a\n- b\n", []string{"the file must be a mapping"}},
		{"unknown key", header + "record:\n  batch-windw: 5s\n", []string{"record.batch-windw: unknown key (did you mean record.batch-window?)"}},
		{"misplaced key", header + "batch-window: 5s\n", []string{"batch-window: unknown key (did you mean record.batch-window?)"}},
		{"misspelled section", header + "recrod:\n  repo: x\n", []string{"recrod: unknown key (did you mean record?)"}},
		{"unknown section", header + "backup:\n  repo: x\n", []string{"backup: unknown key"}},
		{"string for a number", header + "qps: fast\n", []string{`qps: expected a number, got a string "fast"`}},
		{"number for a string", header + "record:\n  repo: 42\n", []string{"record.repo: expected a string, got a number 42"}},
		{"scalar for a list", header + "namespaces: team-a\n", []string{`namespaces: expected a list of strings, got a string "team-a"`}},
		{"bad duration", header + "audit:\n  interval: often\n", []string{`audit.interval: expected a duration such as 30s or 10m, got "often"`}},
		{"number for a duration", header + "audit:\n  interval: 600\n", []string{"audit.interval: expected a duration such as 30s or 10m, got a number 600"}},
		{"scalar for a section", header + "record: yes\n", []string{"record: expected a mapping, got a boolean true"}},
		{"duplicate key", header + "qps: 1\nqps: 2\n", []string{`"qps" already set in map`}},
		{"bad label requirement", header + "policies:\n  required-labels: [team, \"team=(\"]\n", []string{`policies.required-labels[1]: label requirement "team=("`}},
		{
			"every error at once", header + "qps: x\nrecord:\n  branch: [a]\n  nope: 1\n",
			[]string{"qps: expected a number", "record.branch: expected a string, got a list", "record.nope: unknown key"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := operate.Decode([]byte(tt.file))
			if !errors.Is(err, operate.ErrInvalidConfig) {
				t.Fatalf("error = %v, want ErrInvalidConfig", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	base := func(c *operate.Config) { c.Record.Repo = "/srv/backup" }
	tests := []struct {
		name string
		edit func(c *operate.Config)
		want string // "" means valid
	}{
		{"record only", func(*operate.Config) {}, ""},
		{"nothing to run", func(c *operate.Config) { c.Record.Repo = "" }, "record.repo: nothing to run"},
		{"policies only", func(c *operate.Config) { c.Record.Repo = ""; c.Policies.BundledPolicies = true }, ""},
		{"bad cluster name", func(c *operate.Config) { c.ClusterName = "a/b" }, `cluster-name: "a/b" may hold only`},
		{"zero qps", func(c *operate.Config) { c.API.QPS = 0 }, "qps: must be positive"},
		{"bad kind pattern", func(c *operate.Config) { c.Filters.IncludeKinds = []string{".apps"} }, "include-kinds: bad kind pattern"},
		{"bad selector", func(c *operate.Config) { c.Filters.Selector = "a in (" }, "selector: bad label selector"},
		{"bad drop rule", func(c *operate.Config) { c.Rules.Drop = []string{":/ok", "nonsense"} }, "drop[1]:"},
		{"unknown rule", func(c *operate.Config) { c.Rules.DisableRules = []string{"nope"} }, "disable-rules:"},
		{"zero batch window", func(c *operate.Config) { c.Record.BatchWindow = 0 }, "record.batch-window: must be positive, got 0s"},
		{"bad secrets mode", func(c *operate.Config) { c.Record.Secrets = "plain" }, `record.secrets: "plain" is not one of redact, encrypt, omit`},
		{"encrypt without recipient", func(c *operate.Config) { c.Record.Secrets = "encrypt" }, "record.age-recipient: secrets: encrypt needs"},
		{"two token sources", func(c *operate.Config) { c.Record.TokenFile, c.Record.TokenEnv = "f", "E" }, "record.git-token-file: set only one of record.git-token-file, record.git-token-env"},
		{"bad declared", func(c *operate.Config) { c.Audit.Declared = "ftp://host/repo" }, "audit.declared:"},
		{"audit key without declared", func(c *operate.Config) { c.Audit.Output = "/tmp/r.json" }, "audit.output: needs audit.declared"},
		{"bad format", func(c *operate.Config) { c.Audit.Format = "pdf" }, `audit.format: "pdf" is not one of`},
		{"min interval over interval", func(c *operate.Config) { c.Audit.MinInterval.Duration = time.Hour }, "audit.min-interval: 1h0m0s is longer than audit.interval"},
		{"no-bundled without policies", func(c *operate.Config) { c.Policies.NoBundled = true }, "policies.no-bundled: needs at least one"},
		{"policy reports imply policies", func(c *operate.Config) { c.Record.Repo = ""; c.Policies.WritePolicyReports = true }, ""},
		{"propose without declared", func(c *operate.Config) { c.Propose.Enabled, c.Propose.PatchDir = true, "/tmp" }, "propose.enabled: needs audit.declared"},
		{"propose none without patch dir", func(c *operate.Config) { c.Audit.Declared, c.Propose.Enabled = "/srv/declared", true }, "propose.patch-dir: forge none writes .patch files"},
		{"propose bad forge", func(c *operate.Config) {
			c.Audit.Declared, c.Propose.Enabled, c.Propose.Forge = "/srv/declared", true, "bitbucket"
		}, `propose.forge: "bitbucket" is not one of gitea, github, gitlab, none`},
		{"propose without token", func(c *operate.Config) {
			c.Audit.Declared, c.Propose.Enabled, c.Propose.Forge = "/srv/declared", true, "github"
		}, "propose.token-file: forge github needs a token"},
		{"slack URL is not shown", func(c *operate.Config) { c.Alerts.SlackURL = "hooks.slack.example/T000/B000/" + slackSecret }, "alerts.slack-url: not an http(s) URL"},
		{"two slack URL sources", func(c *operate.Config) { c.Alerts.SlackURL, c.Alerts.SlackURLEnv = "https://x", "SLACK" }, "alerts.slack-url: set only one of"},
		{"bad severity", func(c *operate.Config) { c.Alerts.MinSeverity = "urgent" }, `alerts.min-severity: "urgent" is not one of`},
		{"zero rate", func(c *operate.Config) { c.Alerts.MaxPerHour = 0 }, "alerts.max-per-hour: must be positive"},
		{"lease shorter than deadline", func(c *operate.Config) { c.LeaderElection.LeaseDuration.Duration = 5 * time.Second }, "leader-election.lease-duration: 5s must be longer than leader-election.renew-deadline"},
		{"bad lease name", func(c *operate.Config) { c.LeaderElection.LeaseName = "Not_A_Name" }, "leader-election.lease-name:"},
		{"no election, odd timings are fine", func(c *operate.Config) {
			c.LeaderElection.Enabled = false
			c.LeaderElection.LeaseDuration.Duration = 0
		}, ""},
		{"bad address", func(c *operate.Config) { c.Server.Address = "8080" }, `server.address: "8080" is not host:port`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := operate.Default()
			base(&c)
			tt.edit(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, operate.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want ErrInvalidConfig containing %q", err, tt.want)
			}
			secretscan.Check(t, "the error", err.Error())
		})
	}
}

// TestFlagsWinOverFile parses a command line, loads a file, and checks
// that flags given on the command line win, and only those.
func TestFlagsWinOverFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	file := header + `cluster-name: from-file
qps: 3
namespaces: [file-ns]
record:
  repo: /srv/backup
  batch-window: 1m
  author-name: file-author
leader-election:
  enabled: true
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := operate.Default()
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	operate.BindFlags(fs, &flags)
	err := fs.Parse([]string{"--record.batch-window=5s", "--namespaces=a,b", "--leader-election.enabled=false", "--audit.interval=20m"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := operate.Load(path, &flags, fs)
	if err != nil {
		t.Fatal(err)
	}
	want := operate.Default()
	want.ClusterName = "from-file"
	want.API.QPS = 3
	want.Filters.Namespaces = []string{"a", "b"}
	want.Record.Repo = "/srv/backup"
	want.Record.BatchWindow = 5 * time.Second
	want.Record.AuthorName = "file-author"
	want.LeaderElection.Enabled = false
	want.Audit.Interval.Duration = 20 * time.Minute
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Without a file the flags are the configuration.
	got, err = operate.Load("", &flags, fs)
	if err != nil {
		t.Fatal(err)
	}
	if got.Record.BatchWindow != 5*time.Second || got.ClusterName != operate.Default().ClusterName {
		t.Errorf("without a file: batch-window %s, cluster-name %q", got.Record.BatchWindow, got.ClusterName)
	}
	// A missing file names itself.
	if _, err := operate.Load(filepath.Join(t.TempDir(), "none.yaml"), &flags, fs); !errors.Is(err, operate.ErrInvalidConfig) || !strings.Contains(err.Error(), "none.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// TestEveryKeyIsAFlag checks that each key has a flag of the same name
// with help, and the reverse.
func TestEveryKeyIsAFlag(t *testing.T) {
	c := operate.Default()
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	operate.BindFlags(fs, &c)
	keys := map[string]bool{}
	for _, k := range operate.Keys() {
		keys[k] = true
		f := fs.Lookup(k)
		if f == nil {
			t.Errorf("key %s has no flag", k)
			continue
		}
		if f.Usage == "" {
			t.Errorf("flag --%s has no help", k)
		}
	}
	fs.VisitAll(func(f *pflag.Flag) {
		if !keys[f.Name] {
			t.Errorf("flag --%s has no key", f.Name)
		}
	})
}

// TestExampleConfig decodes and validates deploy/config.example.yaml and
// checks that it shows every key.
func TestExampleConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "deploy", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := operate.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	c.Record.TokenFile, c.Audit.TokenFile = "", "" // files that exist in the pod only
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		name, _, ok := strings.Cut(trimmed, ":")
		if !ok {
			continue
		}
		if line == trimmed {
			section = ""
			shown[name] = true
			if strings.TrimSpace(strings.SplitN(line, "#", 2)[0]) == name+":" {
				section = name
			}
			continue
		}
		shown[section+"."+name] = true
	}
	for _, k := range operate.Keys() {
		if !shown[k] {
			t.Errorf("%s is not in the example configuration", k)
		}
	}
}
