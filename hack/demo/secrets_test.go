package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestDemoFailsOnALeak: every value of a sample Secret becomes a canary,
// and an output holding one of them (here base64, as in a manifest) fails
// the demo naming the file; clean outputs pass.
func TestDemoFailsOnALeak(t *testing.T) {
	secret := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "db", "namespace": "shop"},
		"stringData": map[string]any{"password": "sample"},
		"data":       map[string]any{"token": base64.StdEncoding.EncodeToString([]byte("sample"))},
	}}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "sample"}}}
	if n := plantCanaries([]*unstructured.Unstructured{secret, cm}); n != 2 {
		t.Fatalf("planted %d canaries, want 2", n)
	}
	password := secret.Object["stringData"].(map[string]any)["password"].(string)
	if !strings.HasPrefix(password, "csx-canary-") || cm.Object["data"].(map[string]any)["k"] != "sample" {
		t.Fatalf("stringData.password = %q, ConfigMap %v", password, cm.Object["data"])
	}

	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "audit.json"), []byte(`{"findings":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := scanOutputs(out); err != nil {
		t.Fatalf("clean outputs: %v", err)
	}
	leak := filepath.Join(out, "restored.yaml")
	if err := os.WriteFile(leak, []byte("data:\n  password: "+base64.StdEncoding.EncodeToString([]byte(password))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := scanOutputs(out)
	if err == nil || !strings.Contains(err.Error(), "SECRET VALUES LEFT THE CLUSTER") || !strings.Contains(err.Error(), leak) {
		t.Fatalf("error = %v, want the leak in %s", err, leak)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("the error shows the value: %v", err)
	}
}
