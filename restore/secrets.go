package restore

import (
	"fmt"
	"os"
	"regexp"
	"slices"

	"filippo.io/age"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/serializer"
)

// redactedRE matches the values record writes in place of redacted Secret
// values: "<redacted:0123456789ab>", or "<redacted>" without a uid.
var redactedRE = regexp.MustCompile(`^<redacted(:[0-9a-f]{12})?>$`)

// LoadIdentities reads age identity files, as age-keygen writes them
// (several identities per file and comments allowed).
func LoadIdentities(paths ...string) ([]age.Identity, error) {
	var out []age.Identity
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("age identity: %w", err)
		}
		ids, err := age.ParseIdentities(f)
		_ = f.Close()
		if err != nil {
			// age's parse errors name the line, never the key.
			return nil, fmt.Errorf("age identity %s: %w", p, err)
		}
		out = append(out, ids...)
	}
	return out, nil
}

// redactedKeys returns the data keys of a Secret whose values were
// redacted when it was recorded, sorted.
func redactedKeys(obj *unstructured.Unstructured) []string {
	if !serializer.IsSecret(obj.GroupVersionKind().GroupKind()) {
		return nil
	}
	var keys []string
	for _, field := range []string{"data", "stringData"} {
		m, _ := obj.Object[field].(map[string]any)
		for k, v := range m {
			if s, ok := v.(string); ok && redactedRE.MatchString(s) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// stripFingerprint removes the fingerprint record writes on encrypted
// Secrets: it describes the recorded object, not the restored one.
func stripFingerprint(obj *unstructured.Unstructured) {
	ann := obj.GetAnnotations()
	if _, ok := ann[serializer.FingerprintAnnotation]; !ok {
		return
	}
	delete(ann, serializer.FingerprintAnnotation)
	if len(ann) == 0 {
		unstructured.RemoveNestedField(obj.Object, "metadata", "annotations")
		return
	}
	obj.SetAnnotations(ann)
}
