package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestProposeAgreesWithAudit checks that propose takes every option of the
// audit it runs first, so that both agree on what drifted: with the same
// --drop, audit finds no drift and propose proposes nothing; without it,
// both see the live change; an unknown --disable-rules is refused by both,
// named as the flag.
func TestProposeAgreesWithAudit(t *testing.T) {
	d := newDriftedSettings(t, "agree")
	dir := d.dir
	scope := []string{"--kubeconfig", d.kubeconfig, "--declared", d.declaredDir, "--namespaces", d.ns, "--include-kinds", "configmap"}
	audit := func(extra ...string) error {
		t.Helper()
		_, _, err := runCommand(t, append(append([]string{"audit"}, scope...), extra...)...)
		return err
	}
	propose := func(extra ...string) (proposeOutput, error) {
		t.Helper()
		args := append([]string{"propose", "--forge", "none", "--patch-dir", filepath.Join(dir, "patches"), "-o", "json"}, scope...)
		out, _, err := runCommand(t, append(args, extra...)...)
		var got proposeOutput
		if err == nil {
			if jerr := json.Unmarshal([]byte(out), &got); jerr != nil {
				t.Fatalf("propose -o json: %v\n%s", jerr, out)
			}
		}
		return got, err
	}

	drop := []string{"--drop", "ConfigMap:/data/MODE"}
	if err := audit(drop...); err != nil {
		t.Errorf("audit %v: %v, want no drift", drop, err)
	}
	got, err := propose(drop...)
	if err != nil || got.Modified != 0 || len(got.Proposals) != 0 {
		t.Errorf("propose %v: %d modified, proposals %+v, error %v; want nothing, as audit", drop, got.Modified, got.Proposals, err)
	}

	if code := exitCodeOf(audit()); code != exitDrift {
		t.Errorf("audit without --drop: exit %d, want %d (drift)", code, exitDrift)
	}
	got, err = propose()
	if err != nil || got.Modified != 1 || len(got.Proposals) != 1 {
		t.Errorf("propose without --drop: %d modified, proposals %+v, error %v; want the one change, as audit", got.Modified, got.Proposals, err)
	}

	bad := []string{"--disable-rules", "no-such-rule"}
	if err := audit(bad...); err == nil || !strings.Contains(err.Error(), "--disable-rules") {
		t.Errorf("audit %v: %v, want an error naming --disable-rules", bad, err)
	}
	if _, err := propose(bad...); err == nil || !strings.Contains(err.Error(), "--disable-rules") {
		t.Errorf("propose %v: %v, want an error naming --disable-rules", bad, err)
	}
}
