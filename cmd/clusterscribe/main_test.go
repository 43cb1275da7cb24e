package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

func runCommand(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(t.Context())
	secretscan.Check(t, "clusterscribe "+strings.Join(args, " "), fmt.Sprint(out.String(), errOut.String(), err))
	return out.String(), errOut.String(), err
}

// commandError is a command line that must fail, and what its error says.
type commandError struct {
	name string
	args []string
	want string
}

// anyExitCode is checkCommandErrors' code for command lines whose exit
// code is not under test.
const anyExitCode = -1

// checkCommandErrors runs each command line in a subtest: it must fail
// with an error that contains want and, unless code is anyExitCode, exit
// with code.
func checkCommandErrors(t *testing.T, code int, tests []commandError) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCommand(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if got := exitCode(err); code != anyExitCode && got != code {
				t.Errorf("exit code = %d, want %d", got, code)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	out, _, err := runCommand(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"clusterscribe ", "commit ", "go1.", "client-go v0.36"} {
		if !strings.Contains(out, want) {
			t.Errorf("version output %q lacks %q", out, want)
		}
	}
	out, _, err = runCommand(t, "version", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]string
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("version -o json: %v in %q", err, out)
	}
	for _, k := range []string{"version", "commit", "goVersion", "clientGoVersion"} {
		if info[k] == "" {
			t.Errorf("version -o json: %q is empty in %v", k, info)
		}
	}
}

func TestKubectlFlags(t *testing.T) {
	_, _, err := runCommand(t, "record", "--help")
	if err != nil {
		t.Fatal(err)
	}
	cmd := newRootCommand(genericiooptions.NewTestIOStreamsDiscard())
	for _, name := range []string{"kubeconfig", "context", "namespace", "log-level", "log-format"} {
		if cmd.PersistentFlags().Lookup(name) == nil {
			t.Errorf("flag --%s missing", name)
		}
	}
}

func TestRecordFlagErrors(t *testing.T) {
	checkCommandErrors(t, anyExitCode, []commandError{
		{"bad secrets mode", []string{"record", "--repo", t.TempDir(), "--secrets", "plain"}, `--secrets: "plain" is not one of redact, encrypt, omit`},
		{"bad drop rule", []string{"record", "--repo", t.TempDir(), "--drop", "nonsense"}, `--drop "nonsense"`},
		{"bad log level", []string{"record", "--repo", t.TempDir(), "--log-level", "loud"}, `--log-level: "loud"`},
	})
}
