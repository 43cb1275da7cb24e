package restore

import (
	"encoding/base64"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/serializer"
)

var secretValue = secretscan.Canary()

// encryptedSecret renders a Secret the way record does in encrypt mode.
func encryptedSecret(t *testing.T, to *age.X25519Identity) []byte {
	t.Helper()
	s, err := serializer.New(serializer.Options{Secrets: serializer.SecretsEncrypt, AgeRecipients: []string{to.Recipient().String()}})
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{
			"name": "db", "namespace": "shop", "uid": "0b5c9a52-1111-2222-3333-444455556666",
			"resourceVersion": "42", "annotations": map[string]any{"team": "web"},
		},
		"type": "Opaque",
		"data": map[string]any{"password": base64.StdEncoding.EncodeToString([]byte(secretValue))},
	}}
	data, err := s.Render(obj)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), serializer.FingerprintAnnotation) {
		t.Fatal("the rendered Secret has no fingerprint: the test would not show it is stripped")
	}
	return data
}

func newTestLoader(t *testing.T, f filters.Options, ids ...age.Identity) *loader {
	t.Helper()
	filter, err := newFilter(f)
	if err != nil {
		t.Fatal(err)
	}
	return &loader{filter: filter, identities: ids}
}

func TestLoad(t *testing.T) {
	id := testkit.AgeIdentity(t)
	other := testkit.AgeIdentity(t)
	sealed := string(encryptedSecret(t, id))
	const cm = "p/namespaces/shop/core/configmaps/web.yaml"
	tests := []struct {
		name    string
		path    string
		data    string
		filters filters.Options
		ids     []age.Identity
		// want is the object to apply as YAML, "" when none.
		want       string
		wantAction Action
		wantReason string
		wantErr    string
	}{
		{
			name: "object, server fields dropped",
			path: cm,
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n  uid: x\n  resourceVersion: \"7\"\n" +
				"  managedFields: []\ndata:\n  k: v\nstatus:\n  x: 1\n",
			want: "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
		},
		{
			name: "namespace taken from the path",
			path: cm,
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n",
			want: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
		},
		{
			name: "volume keeps its claim by name, not by the old uid", path: "p/cluster/core/persistentvolumes/pv1.yaml",
			data: "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv1\nspec:\n  claimRef:\n    kind: PersistentVolumeClaim\n" +
				"    name: data\n    namespace: billing\n    resourceVersion: \"12\"\n    uid: 0b5c9a52-1111\n  hostPath:\n    path: /data\n",
			want: "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv1\nspec:\n  claimRef:\n    kind: PersistentVolumeClaim\n" +
				"    name: data\n    namespace: billing\n  hostPath:\n    path: /data\n",
		},
		{name: "not in the layout", path: "p/README.md", data: "hello", wantAction: Skipped, wantReason: ReasonNotObject},
		{name: "malformed", path: cm, data: "apiVersion: v1\nkind: [\n", wantAction: Failed, wantErr: cm + ": malformed"},
		{
			name: "two objects", path: cm,
			data:       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web2\n",
			wantAction: Failed, wantErr: "holds 2 objects",
		},
		{name: "no kind", path: cm, data: "metadata:\n  name: web\n", wantAction: Failed, wantErr: "apiVersion and kind are required"},
		{
			name: "name differs from the path", path: cm,
			data:       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\n  namespace: shop\n",
			wantAction: Failed, wantErr: `metadata.name "api" differs`,
		},
		{
			name: "namespace differs from the path", path: cm,
			data:       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: kube-system\n",
			wantAction: Failed, wantErr: `metadata.namespace "kube-system" differs`,
		},
		{
			name: "group differs from the path", path: cm,
			data:       "apiVersion: apps/v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
			wantAction: Failed, wantErr: "does not belong to the group",
		},
		{
			name: "namespace on a cluster-scoped path", path: "p/cluster/core/namespaces/web.yaml",
			data:       "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n  namespace: shop\n",
			wantAction: Failed, wantErr: "set on a cluster-scoped path",
		},
		{
			name: "out of the namespaces in scope", path: cm, filters: filters.Options{Namespaces: []string{"billing"}},
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
		},
		{
			name: "out of the kinds in scope", path: cm, filters: filters.Options{IncludeKinds: []string{"Deployment"}},
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
		},
		{
			name: "kinds by plural name", path: cm, filters: filters.Options{IncludeKinds: []string{"configmaps"}},
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
			want: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
		},
		{
			name: "redacted Secret", path: "p/namespaces/shop/core/secrets/db.yaml",
			data:       "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\ndata:\n  a: <redacted:0123456789ab>\n  b: <redacted>\n",
			wantAction: Skipped, wantReason: ReasonRedacted,
		},
		{
			name: "encrypted Secret, decrypted and fingerprint stripped", path: "p/namespaces/shop/core/secrets/db.yaml",
			data: sealed, ids: []age.Identity{other, id},
			want: "apiVersion: v1\ndata:\n  password: " + base64.StdEncoding.EncodeToString([]byte(secretValue)) + "\nkind: Secret\n" +
				"metadata:\n  annotations:\n    team: web\n  name: db\n  namespace: shop\ntype: Opaque\n",
		},
		{
			name: "encrypted Secret without identity", path: "p/namespaces/shop/core/secrets/db.yaml",
			data: sealed, wantAction: Failed, wantErr: "no age identity was given (--age-identity)",
		},
		{
			name: "encrypted Secret, wrong identity", path: "p/namespaces/shop/core/secrets/db.yaml",
			data: sealed, ids: []age.Identity{other}, wantAction: Failed, wantErr: "no identity opens the sops data key",
		},
		{
			name: "encrypted Secret out of scope needs no identity", path: "p/namespaces/shop/core/secrets/db.yaml",
			data: sealed, filters: filters.Options{Namespaces: []string{"billing"}},
		},
		{
			name: "control plane object", path: "p/namespaces/default/core/services/kubernetes.yaml",
			data:       "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\n  namespace: default\n",
			wantAction: Skipped, wantReason: ReasonControlPlane,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLoader(t, tt.filters, tt.ids...)
			it, res := l.load(backupFile{Path: tt.path, Data: []byte(tt.data)})
			var got string
			if it != nil {
				b, err := serializer.Marshal(it.obj.Object)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("object (-want +got):\n%s", diff)
			}
			var gotAction Action
			var gotReason, gotErr string
			if res != nil {
				gotAction, gotReason = res.Action, res.Reason
				if res.Err != nil {
					gotErr = res.Err.Error()
				}
				if res.Path != tt.path {
					t.Errorf("result path %q, want %q", res.Path, tt.path)
				}
			}
			if gotAction != tt.wantAction || gotReason != tt.wantReason {
				t.Errorf("result %q %q, want %q %q", gotAction, gotReason, tt.wantAction, tt.wantReason)
			}
			if (tt.wantErr == "") != (gotErr == "") || !strings.Contains(gotErr, tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", gotErr, tt.wantErr)
			}
			if strings.Contains(gotErr, secretValue) || strings.Contains(gotErr, base64.StdEncoding.EncodeToString([]byte(secretValue))) {
				t.Errorf("error %q holds the Secret's value", gotErr)
			}
		})
	}
}

func TestLoadControlPlaneIncluded(t *testing.T) {
	l := newTestLoader(t, filters.Options{})
	l.includeInternal = true
	it, res := l.load(backupFile{
		Path: "p/namespaces/default/core/services/kubernetes.yaml",
		Data: []byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\n  namespace: default\n"),
	})
	if it == nil || res != nil {
		t.Fatalf("got %v, %+v; want the object", it, res)
	}
}
