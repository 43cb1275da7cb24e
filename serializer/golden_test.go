package serializer

import (
	"bytes"
	"regexp"
	"testing"
)

// ageBlock matches an armored age file, which age encrypts with its own
// randomness and so differs on every run.
var ageBlock = regexp.MustCompile(`-----BEGIN AGE ENCRYPTED FILE-----\n(?:[ A-Za-z0-9+/=]*\n)*? *-----END AGE ENCRYPTED FILE-----`)

func TestGolden(t *testing.T) {
	tests := []struct {
		name  string // testdata/golden/<input>.input.yaml -> <name>.golden.yaml
		input string
		opts  Options
	}{
		{name: "deployment", input: "deployment"},
		{name: "service-nodeport", input: "service-nodeport"},
		{name: "crd", input: "crd"},
		{name: "webhook", input: "webhook"},
		{name: "secret-redact", input: "secret", opts: Options{Secrets: SecretsRedact}},
		{name: "secret-encrypt", input: "secret", opts: Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients[:1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSerializer(t, tt.opts)
			got := mustRender(t, s, object(t, readFile(t, "golden/"+tt.input+".input.yaml")))
			if tt.opts.Secrets == SecretsEncrypt {
				got = ageBlock.ReplaceAll(got, []byte("<age-encrypted data key>"))
				if bytes.Contains(got, []byte("AGE ENCRYPTED")) {
					t.Fatalf("age block not masked:\n%s", got)
				}
			}
			checkGolden(t, tt.name+".golden.yaml", got)
		})
	}
}

func TestGoldenSecretOmitted(t *testing.T) {
	s := newTestSerializer(t, Options{Secrets: SecretsOmit})
	got, err := s.Render(object(t, readFile(t, "golden/secret.input.yaml")))
	if got != nil || err != nil {
		t.Errorf("Render in omit mode = %q, %v; want nil, nil", got, err)
	}
}
