package main

import (
	"bytes"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestKubectlPluginName: called as kubectl-clusterscribe (the kubectl
// plugin, as krew installs it), help and usage say `kubectl clusterscribe`,
// down to the subcommands; called as clusterscribe, they say clusterscribe.
func TestKubectlPluginName(t *testing.T) {
	for _, tt := range []struct {
		arg0, want, notWant string
	}{
		{"/home/me/.krew/bin/kubectl-clusterscribe", "kubectl clusterscribe policy test", "\n  clusterscribe policy"},
		{`C:\krew\bin\kubectl-clusterscribe.exe`, "kubectl clusterscribe policy test", "\n  clusterscribe policy"},
		{"/usr/local/bin/clusterscribe", "\n  clusterscribe policy test", "kubectl clusterscribe"},
	} {
		var out bytes.Buffer
		cmd := newRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
		useInvokedName(cmd, tt.arg0)
		cmd.SetArgs([]string{"policy", "test", "--help"})
		if err := cmd.ExecuteContext(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) || strings.Contains(out.String(), tt.notWant) {
			t.Errorf("as %s: help lacks %q or has %q:\n%s", tt.arg0, tt.want, tt.notWant, out.String())
		}
	}
}
