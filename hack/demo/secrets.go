package main

import (
	"encoding/base64"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

// plantCanaries replaces every value of the sample Secrets with a canary
// before they are applied, and returns how many it replaced: at the end
// the demo searches everything it wrote for them (scanOutputs).
func plantCanaries(objs []*unstructured.Unstructured) int {
	n := 0
	for _, o := range objs {
		if o.GetAPIVersion() != "v1" || o.GetKind() != "Secret" {
			continue
		}
		for _, field := range []string{"stringData", "data"} {
			values, ok := o.Object[field].(map[string]any)
			if !ok {
				continue
			}
			for k := range values {
				v := secretscan.Canary()
				if field == "data" {
					v = base64.StdEncoding.EncodeToString([]byte(v))
				}
				values[k] = v
				n++
			}
		}
	}
	return n
}

// scanOutputs searches every file below out — reports, patches, logs, and
// the whole history of every Git repository, unreachable objects and
// reflogs included — for the planted values, plain or base64.
func scanOutputs(out string) error {
	hits, err := secretscan.Tree(out)
	if err != nil {
		return err
	}
	if err := secretscan.Error(hits); err != nil {
		return fmt.Errorf("SECRET VALUES LEFT THE CLUSTER: %w", err)
	}
	return nil
}
