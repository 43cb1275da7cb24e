package serializer

import (
	"bytes"
	"errors"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const redactSecretManifest = `
apiVersion: v1
kind: Secret
metadata:
  name: api
  namespace: shop
  uid: 0d4f3a1e-7b7c-4c55-8d4e-3f1a2b3c4d5e
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"token":"ZXhhbXBsZS10b2tlbg=="}}'
type: Opaque
data:
  token: ZXhhbXBsZS10b2tlbg==
  port: ODA4MA==
`

// redactedData renders a Secret in redact mode and returns its data.
func redactedData(t *testing.T, s *Serializer, obj *unstructured.Unstructured) (map[string]any, []byte) {
	t.Helper()
	out := mustRender(t, s, obj)
	data, _, _ := unstructured.NestedMap(objectMap(t, string(out)), "data")
	return data, out
}

func TestRedact(t *testing.T) {
	s := newTestSerializer(t, Options{})
	base := object(t, redactSecretManifest)
	data, out := redactedData(t, s, base)

	marker := regexp.MustCompile(`^<redacted:[0-9a-f]{12}>$`)
	for _, k := range []string{"token", "port"} {
		if v, _ := data[k].(string); !marker.MatchString(v) {
			t.Errorf("data.%s = %q, want a <redacted:hex12> marker", k, v)
		}
	}
	for _, plain := range []string{"example-token", "ZXhhbXBsZS10b2tlbg", "8080", "ODA4MA"} {
		if bytes.Contains(out, []byte(plain)) {
			t.Errorf("redacted output contains %q:\n%s", plain, out)
		}
	}

	// The marker is the documented HMAC.
	if want := redactionMarker("0d4f3a1e-7b7c-4c55-8d4e-3f1a2b3c4d5e", "token", []byte("example-token")); data["token"] != want {
		t.Errorf("data.token = %v, want %v", data["token"], want)
	}

	tests := []struct {
		name      string
		edit      func(o *unstructured.Unstructured)
		wantToken string // "same", "different" or a literal marker
	}{
		{name: "unchanged", edit: func(*unstructured.Unstructured) {}, wantToken: "same"},
		{name: "value changed", edit: func(o *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(o.Object, "b3RoZXItdG9rZW4=", "data", "token")
		}, wantToken: "different"},
		{name: "same value as stringData", edit: func(o *unstructured.Unstructured) {
			unstructured.RemoveNestedField(o.Object, "data", "token")
			_ = unstructured.SetNestedField(o.Object, "example-token", "stringData", "token")
		}, wantToken: "same"},
		{name: "other uid", edit: func(o *unstructured.Unstructured) { o.SetUID("another-uid") }, wantToken: "different"},
		{name: "no uid", edit: func(o *unstructured.Unstructured) { o.SetUID("") }, wantToken: "<redacted>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := base.DeepCopy()
			tt.edit(obj)
			got, _ := redactedData(t, s, obj)
			switch tt.wantToken {
			case "same":
				if got["token"] != data["token"] {
					t.Errorf("token marker = %v, want unchanged %v", got["token"], data["token"])
				}
			case "different":
				if got["token"] == data["token"] {
					t.Errorf("token marker did not change: %v", got["token"])
				}
			default:
				if got["token"] != tt.wantToken {
					t.Errorf("token marker = %v, want %v", got["token"], tt.wantToken)
				}
			}
		})
	}
}

func TestSecretSafetyDoesNotDependOnRules(t *testing.T) {
	// Even with the rules that strip plaintext switched off, a Secret's
	// stringData and last-applied annotation never reach the output.
	s := newTestSerializer(t, Options{DisableRules: []string{RuleSecretStringData, "annotation.last-applied-configuration"}})
	obj := object(t, redactSecretManifest)
	_ = unstructured.SetNestedField(obj.Object, "example-string-data", "stringData", "extra")
	for _, mode := range []SecretMode{SecretsRedact, SecretsEncrypt} {
		t.Run(string(mode), func(t *testing.T) {
			s := *s
			s.secrets = mode
			if mode == SecretsEncrypt {
				e := newTestSerializer(t, Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients})
				s.recipients = e.recipients
			}
			out := mustRender(t, &s, obj)
			for _, plain := range []string{"example-string-data", "ZXhhbXBsZS1zdHJpbmctZGF0YQ", "example-token", "ZXhhbXBsZS10b2tlbg", "last-applied"} {
				if bytes.Contains(out, []byte(plain)) {
					t.Errorf("output contains %q:\n%s", plain, out)
				}
			}
		})
	}
}

func TestOmit(t *testing.T) {
	s := newTestSerializer(t, Options{Secrets: SecretsOmit})
	out, err := s.Render(object(t, redactSecretManifest))
	if out != nil || err != nil {
		t.Errorf("Render(Secret) in omit mode = %q, %v; want nil, nil", out, err)
	}
	out, err = s.Render(object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"))
	if err != nil || len(out) == 0 {
		t.Errorf("Render(ConfigMap) in omit mode = %q, %v; want the ConfigMap", out, err)
	}
}

func TestSecretFingerprint(t *testing.T) {
	s := newTestSerializer(t, Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients})
	base := object(t, redactSecretManifest)
	fp, err := s.SecretFingerprint(base)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(fp) {
		t.Fatalf("fingerprint %q is not 64 hex digits", fp)
	}
	otherRecipients := newTestSerializer(t, Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients[:1]})

	tests := []struct {
		name string
		s    *Serializer
		edit func(o *unstructured.Unstructured)
		same bool
	}{
		{name: "unchanged", s: s, edit: func(*unstructured.Unstructured) {}, same: true},
		{name: "volatile fields changed", s: s, edit: func(o *unstructured.Unstructured) {
			o.SetResourceVersion("99999")
			o.SetManagedFields(nil)
		}, same: true},
		{name: "live copy carries the annotation", s: s, edit: func(o *unstructured.Unstructured) {
			o.SetAnnotations(map[string]string{FingerprintAnnotation: "stale"})
		}, same: true},
		{name: "value changed", s: s, edit: func(o *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(o.Object, "eA==", "data", "port")
		}},
		{name: "key added", s: s, edit: func(o *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(o.Object, "eA==", "data", "extra")
		}},
		{name: "label added", s: s, edit: func(o *unstructured.Unstructured) {
			o.SetLabels(map[string]string{"tier": "backend"})
		}},
		{name: "type changed", s: s, edit: func(o *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(o.Object, "example.com/other", "type")
		}},
		{name: "uid changed", s: s, edit: func(o *unstructured.Unstructured) { o.SetUID("another-uid") }},
		{name: "recipients changed", s: otherRecipients, edit: func(*unstructured.Unstructured) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := base.DeepCopy()
			tt.edit(obj)
			got, err := tt.s.SecretFingerprint(obj)
			if err != nil {
				t.Fatal(err)
			}
			if (got == fp) != tt.same {
				t.Errorf("fingerprint %s, base %s: same = %v, want %v", got, fp, got == fp, tt.same)
			}
			// What Render writes is what SecretFingerprint computes.
			out := mustRender(t, tt.s, obj)
			if diff := cmp.Diff(got, FileFingerprint(out)); diff != "" {
				t.Errorf("FileFingerprint(Render) vs SecretFingerprint (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretFingerprintErrors(t *testing.T) {
	s := newTestSerializer(t, Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients})
	noUID := object(t, redactSecretManifest)
	noUID.SetUID("")
	if _, err := s.SecretFingerprint(noUID); !errors.Is(err, ErrNoUID) {
		t.Errorf("no uid: error = %v, want ErrNoUID", err)
	}
	cm := object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, uid: x}\n")
	if _, err := s.SecretFingerprint(cm); !errors.Is(err, ErrNotSecret) {
		t.Errorf("ConfigMap: error = %v, want ErrNotSecret", err)
	}
	// Without uid Render writes no fingerprint: the file is always rewritten.
	out := mustRender(t, s, noUID)
	if fp := FileFingerprint(out); fp != "" {
		t.Errorf("FileFingerprint of a Secret without uid = %q, want none", fp)
	}
}

func TestFileFingerprint(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{name: "present", data: "metadata:\n  annotations:\n    clusterscribe.io/secret-fingerprint: abc\n", want: "abc"},
		{name: "absent", data: "metadata:\n  name: a\n"},
		{name: "garbage", data: "{{{"},
		{name: "empty", data: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FileFingerprint([]byte(tt.data)); got != tt.want {
				t.Errorf("FileFingerprint = %q, want %q", got, tt.want)
			}
		})
	}
}
