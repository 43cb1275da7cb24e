package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/clusterscribe/clusterscribe/operate"
)

// TestRunKeysCoverRecordAndAudit checks that every flag of record and
// audit (and propose) is a key of run's configuration with the same name,
// at the top (keys they share) or in the section of its job. record --once
// has no place in a service; propose clones the declared repo where audit
// does (audit.workdir); what -o prints goes to a terminal, where run writes
// its report to audit.output in audit.format (keys of its own, older than
// --output-file).
func TestRunKeysCoverRecordAndAudit(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range operate.Keys() {
		keys[k] = true
	}
	streams := genericiooptions.NewTestIOStreamsDiscard()
	for _, c := range []struct {
		cmd      string
		sections []string
		except   []string
	}{
		{"record", []string{"", "record."}, []string{"once"}},
		{"audit", []string{"", "audit.", "policies."}, []string{"output-file"}},
		{"propose", []string{"", "audit.", "policies.", "propose."}, []string{"workdir", "output-file"}},
	} {
		cmd, _, err := newRootCommand(streams).Find([]string{c.cmd})
		if err != nil {
			t.Fatal(err)
		}
		cmd.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if slices.Contains(c.except, f.Name) {
				return
			}
			for _, s := range c.sections {
				if keys[s+f.Name] {
					return
				}
			}
			t.Errorf("%s --%s has no key in run's configuration (looked in %v)", c.cmd, f.Name, c.sections)
		})
	}
}

func TestRunFlagErrors(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("apiVersion: clusterscribe.io/v1alpha1\nkind: Config\nrecord:\n  repo: "+dir+"\n  batch-windw: 5s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("apiVersion: clusterscribe.io/v1alpha1\nkind: Config\nrecord:\n  repo: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A kubeconfig that is never dialed: these runs stop before.
	kubeconfig := filepath.Join(dir, "kubeconfig")
	kc := "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\n" +
		"contexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {}}]\n"
	if err := os.WriteFile(kubeconfig, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	checkCommandErrors(t, anyExitCode, []commandError{
		{"unknown key in the file", []string{"run", "--config", config}, "record.batch-windw: unknown key (did you mean record.batch-window?)"},
		{"bad flag value wins over a good file", []string{"run", "--config", good, "--record.secrets", "plain"}, `record.secrets: "plain" is not one of redact, encrypt, omit`},
		{"nothing to run", []string{"run"}, "record.repo: nothing to run"},
		{"propose settings checked", []string{"run", "--config", good, "--audit.declared", dir, "--propose.enabled", "--propose.forge", "gitea", "--propose.token-env", "FORGE_TOKEN", "--kubeconfig", kubeconfig}, "--forge gitea needs --declared to be a Git URL"},
	})
}
