package serializer

import (
	"bytes"
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

const encryptSecretManifest = `
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  uid: 6b8c1a52-4a4e-4bb1-9a55-0c6f0f3f1d2e
  resourceVersion: "12345"
  labels:
    app: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"example-password-1"}}'
type: Opaque
immutable: false
data:
  username: ZXhhbXBsZS11c2Vy
  empty: ""
stringData:
  password: example-password-1
`

// The plaintexts of encryptSecretManifest, none of which may appear in an
// encrypted file.
var encryptSecretPlaintexts = []string{"example-user", "example-password-1"}

func TestDecryptFilesWrittenBySops(t *testing.T) {
	ids := identities(t, "sops/age-identities.txt")
	tests := []struct {
		file string
		// wantKeys must decrypt to non-empty strings. The plaintexts are not
		// known here; the MAC check proves them.
		wantKeys []string
	}{
		{file: "age-secret.yaml", wantKeys: []string{"stringData.key"}},
		{file: "age-global-secret.yaml", wantKeys: []string{"stringData.key"}},
		{file: "age-pod.yaml", wantKeys: []string{"spec.containers.0.env.0.name", "spec.containers.0.env.0.value"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := []byte(readFile(t, "sops/"+tt.file))
			if !IsEncrypted(in) {
				t.Fatal("IsEncrypted = false for a sops file")
			}
			out, err := Decrypt(in, ids)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if bytes.Contains(out, []byte("ENC[")) || bytes.Contains(out, []byte("sops:")) {
				t.Errorf("decrypted output still holds sops data:\n%s", out)
			}
			// The MAC check is what proves the decryption right: any change to a
			// clear value must break it.
			tampered := bytes.Replace(in, []byte("  name: "), []byte("  name: x"), 1)
			if _, err := Decrypt(tampered, ids); !errors.Is(err, ErrMACMismatch) {
				t.Errorf("Decrypt of a tampered file: error = %v, want ErrMACMismatch", err)
			}
			obj := objectMap(t, string(out))
			for _, k := range tt.wantKeys {
				v := lookup(obj, strings.Split(k, "."))
				if s, ok := v.(string); !ok || s == "" {
					t.Errorf("decrypted %s is %T, want a non-empty string", k, v)
				}
			}
		})
	}
}

// lookup follows map keys and list indexes.
func lookup(v any, path []string) any {
	for _, p := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func TestEncryptRoundTrip(t *testing.T) {
	s := newTestSerializer(t, Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients})
	live := object(t, encryptSecretManifest)
	enc, err := s.Render(live)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for _, p := range encryptSecretPlaintexts {
		for _, form := range []string{p, base64.StdEncoding.EncodeToString([]byte(p))} {
			if bytes.Contains(enc, []byte(form)) {
				t.Fatalf("encrypted file contains a plaintext value:\n%s", enc)
			}
		}
	}

	// What Decrypt must give back: the normalized Secret with stringData
	// folded, the last-applied annotation gone and the fingerprint added.
	fp, err := s.SecretFingerprint(live)
	if err != nil {
		t.Fatalf("SecretFingerprint: %v", err)
	}
	want := objectMap(t, `
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  labels:
    app: db
  annotations:
    clusterscribe.io/secret-fingerprint: `+fp+`
type: Opaque
immutable: false
data:
  username: ZXhhbXBsZS11c2Vy
  empty: ""
  password: ZXhhbXBsZS1wYXNzd29yZC0x
`)
	wantYAML, err := Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	all := identities(t, "age/test-identities.txt")
	for i, id := range all {
		got, err := Decrypt(enc, []age.Identity{id})
		if err != nil {
			t.Fatalf("Decrypt with identity %d: %v", i, err)
		}
		if diff := cmp.Diff(string(wantYAML), string(got)); diff != "" {
			t.Errorf("Decrypt with identity %d (-want +got):\n%s", i, diff)
		}
	}
	if got := FileFingerprint(enc); got != fp {
		t.Errorf("FileFingerprint = %q, want SecretFingerprint %q", got, fp)
	}
}

func TestEncryptedFileLayout(t *testing.T) {
	s := newTestSerializer(t, Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients})
	enc, err := s.Render(object(t, encryptSecretManifest))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	var doc struct {
		Data map[string]string `yaml:"data"`
		Sops sopsMetadata      `yaml:"sops"`
	}
	if err := yaml.Unmarshal(enc, &doc); err != nil {
		t.Fatalf("parse encrypted file: %v", err)
	}
	encValue := regexp.MustCompile(`^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]$`)
	for k, v := range doc.Data {
		if k == "empty" {
			if v != "" {
				t.Errorf("data.empty = %q, want it left empty as sops does", v)
			}
			continue
		}
		if !encValue.MatchString(v) {
			t.Errorf("data.%s = %q, want an ENC[AES256_GCM,...] value", k, v)
		}
	}
	gotRecipients := []string{}
	for _, a := range doc.Sops.Age {
		gotRecipients = append(gotRecipients, a.Recipient)
		if !strings.HasPrefix(a.Enc, "-----BEGIN AGE ENCRYPTED FILE-----\n") {
			t.Errorf("age enc for %s is not an armored age file", a.Recipient)
		}
	}
	wantMeta := sopsMetadata{
		LastModified:   "2025-01-02T03:04:05Z",
		EncryptedRegex: "^(data|stringData)$",
		Version:        sopsVersion,
	}
	gotMeta := doc.Sops
	gotMeta.Age, gotMeta.MAC = nil, ""
	if diff := cmp.Diff(wantMeta, gotMeta); diff != "" {
		t.Errorf("sops metadata (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{testRecipients[1], testRecipients[0]}, gotRecipients); diff != "" {
		t.Errorf("age recipients, sorted (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]{172},`).MatchString(doc.Sops.MAC) {
		t.Errorf("mac = %q, want 128 encrypted hex digits", doc.Sops.MAC)
	}
}

func TestEncryptIsRandomizedFingerprintIsNot(t *testing.T) {
	s, err := New(Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients[:1]})
	if err != nil {
		t.Fatal(err)
	}
	live := object(t, encryptSecretManifest)
	a := mustRender(t, s, live)
	b := mustRender(t, s, live)
	if bytes.Equal(a, b) {
		t.Error("two encryptions of one Secret are byte-identical; IVs or data keys are reused")
	}
	if FileFingerprint(a) == "" || FileFingerprint(a) != FileFingerprint(b) {
		t.Errorf("fingerprints differ or are empty: %q, %q", FileFingerprint(a), FileFingerprint(b))
	}
}

func TestDecryptRejects(t *testing.T) {
	s := newTestSerializer(t, Options{Secrets: SecretsEncrypt, AgeRecipients: testRecipients[:1]})
	enc := mustRender(t, s, object(t, encryptSecretManifest))
	ids := identities(t, "age/test-identities.txt")
	other := testkit.AgeIdentity(t)
	var doc struct {
		Data map[string]string `yaml:"data"`
	}
	if err := yaml.Unmarshal(enc, &doc); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		data    []byte
		ids     []age.Identity
		wantErr error // nil: any error
	}{
		{name: "plain file", data: []byte("apiVersion: v1\nkind: ConfigMap\n"), ids: ids, wantErr: ErrNotEncrypted},
		{name: "empty file", data: nil, ids: ids, wantErr: ErrNotEncrypted},
		{name: "wrong identity", data: enc, ids: []age.Identity{other}},
		{name: "no identity", data: enc},
		{
			name:    "clear field changed",
			data:    bytes.Replace(enc, []byte("app: db"), []byte("app: dc"), 1),
			ids:     ids,
			wantErr: ErrMACMismatch,
		},
		{
			name: "encrypted values swapped between keys",
			data: []byte(strings.NewReplacer(doc.Data["password"], doc.Data["username"], doc.Data["username"], doc.Data["password"]).
				Replace(string(enc))),
			ids: ids,
		},
		{name: "two documents", data: append(append([]byte{}, enc...), "---\na: b\n"...), ids: ids},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Decrypt(tt.data, tt.ids)
			if err == nil {
				t.Fatalf("Decrypt succeeded:\n%s", out)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Decrypt error = %v, want %v", err, tt.wantErr)
			}
			for _, p := range encryptSecretPlaintexts {
				if strings.Contains(err.Error(), p) {
					t.Errorf("error quotes a plaintext value: %v", err)
				}
			}
		})
	}
}

func TestIsEncrypted(t *testing.T) {
	tests := []struct {
		name string
		data string
		want bool
	}{
		{name: "sops file", data: "a: b\nsops:\n  mac: ENC[x]\n", want: true},
		{name: "sops key without mac", data: "a: b\nsops:\n  version: 3.9.0\n"},
		{name: "plain", data: "a: b\n"},
		{name: "not yaml", data: "{"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsEncrypted([]byte(tt.data)); got != tt.want {
				t.Errorf("IsEncrypted = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValueCipherRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{7}, sopsKeySize)
	rnd := bytes.NewReader(bytes.Repeat([]byte{1}, 10*sopsNonceSize))
	tests := []struct {
		in   any
		want any
		typ  string
	}{
		{in: "hello", want: "hello", typ: "str"},
		{in: 42, want: 42, typ: "int"},
		{in: int64(-7), want: -7, typ: "int"},
		{in: 0.25, want: 0.25, typ: "float"},
		{in: true, want: true, typ: "bool"},
		{in: false, want: false, typ: "bool"},
	}
	for _, tt := range tests {
		ct, err := encryptValue(tt.in, key, "a:b:", rnd)
		if err != nil {
			t.Fatalf("encryptValue(%v): %v", tt.in, err)
		}
		if !strings.HasSuffix(ct, ",type:"+tt.typ+"]") {
			t.Errorf("encryptValue(%v) = %q, want type %s", tt.in, ct, tt.typ)
		}
		got, err := decryptValue(ct, key, "a:b:")
		if err != nil {
			t.Fatalf("decryptValue(%q): %v", ct, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("round trip of %v (-want +got):\n%s", tt.in, diff)
		}
		if _, err := decryptValue(ct, key, "a:c:"); err == nil {
			t.Errorf("decryptValue with other additional data succeeded for %v", tt.in)
		}
	}
	if ct, err := encryptValue("", key, "a:", rnd); err != nil || ct != "" {
		t.Errorf(`encryptValue("") = %q, %v; want "" as sops leaves empty strings`, ct, err)
	}
}
