package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

func TestSafeDiff(t *testing.T) {
	secret := findings.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "shop", Name: "db"}
	tests := []struct {
		name   string
		object findings.ObjectRef
		diff   string
		want   string
	}{
		{
			name:   "not a secret",
			object: findings.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "db"},
			diff:   "--- declared a.yaml:1\n+++ live ConfigMap shop/db\n@@ -1,2 +1,2 @@\n data:\n-  password: abc\n+  password: def\n",
			want:   "--- declared a.yaml:1\n+++ live ConfigMap shop/db\n@@ -1,2 +1,2 @@\n data:\n-  password: abc\n+  password: def\n",
		},
		{
			name:   "data values masked, identity and keys kept",
			object: secret,
			diff: "--- declared a.yaml:1\n+++ live Secret shop/db\n@@ -1,11 +1,11 @@\n apiVersion: v1\n data:\n" +
				"-  password: aHVudGVyMg==\n+  password: czNjcjN0\n kind: Secret\n metadata:\n   labels:\n     app: db\n" +
				"   name: db\n   namespace: shop\n type: Opaque\n",
			want: "--- declared a.yaml:1\n+++ live Secret shop/db\n@@ -1,11 +1,11 @@\n apiVersion: v1\n data:\n" +
				"-  password: <redacted>\n+  password: <redacted>\n kind: Secret\n metadata:\n   labels:\n     app: db\n" +
				"   name: db\n   namespace: shop\n type: Opaque\n",
		},
		{
			name:   "redaction markers kept",
			object: secret,
			diff: "@@ -1,4 +1,4 @@\n data:\n-  a: <redacted:0123456789ab>\n+  a: <redacted:ba9876543210>\n" +
				"-  b: '<redacted>'\n+  b: \"<redacted: differs from the declaration>\"\n",
			want: "@@ -1,4 +1,4 @@\n data:\n-  a: <redacted:0123456789ab>\n+  a: <redacted:ba9876543210>\n" +
				"-  b: '<redacted>'\n+  b: \"<redacted: differs from the declaration>\"\n",
		},
		{
			name:   "hunk starting inside a mapping: nothing is trusted",
			object: secret,
			diff:   "@@ -3,3 +3,3 @@\n   name: db\n-  password: abc\n+  password: def\n",
			want:   "@@ -3,3 +3,3 @@\n   name: <redacted>\n-  password: <redacted>\n+  password: <redacted>\n",
		},
		{
			name:   "annotation values masked (last-applied holds the data)",
			object: secret,
			diff: "@@ -1,3 +1,3 @@\n metadata:\n   annotations:\n" +
				"-    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"password\":\"abc\"}}'\n",
			want: "@@ -1,3 +1,3 @@\n metadata:\n   annotations:\n" +
				"-    kubectl.kubernetes.io/last-applied-configuration: <redacted>\n",
		},
		{
			name:   "block scalars and flow mappings masked",
			object: secret,
			diff:   "@@ -1,4 +1,4 @@\n stringData:\n   key.pem: |\n-    -----BEGIN KEY-----\n+    MIIEvQIBADANBg\n-data: {password: abc}\n",
			want:   "@@ -1,4 +1,4 @@\n stringData:\n   key.pem: <redacted>\n-    <redacted>\n+    <redacted>\n-data: <redacted>\n",
		},
		{
			name:   "a Secret kind of another group is masked too",
			object: findings.ObjectRef{APIVersion: "example.com/v1", Kind: "Secret", Name: "x"},
			diff:   "@@ -1,2 +1,2 @@\n spec:\n-  token: abc\n",
			want:   "@@ -1,2 +1,2 @@\n spec:\n-  token: <redacted>\n",
		},
		{
			name:   "lines that are not diff lines",
			object: secret,
			diff:   "@@ -1 +1 @@\n-data:\n?garbage: abc\n\\ No newline at end of file\n",
			want:   "@@ -1 +1 @@\n-data:\n<redacted>\n\\ No newline at end of file\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := safeDiff(findings.Finding{Type: findings.Modified, Object: tt.object, Diff: tt.diff})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("safeDiff (-want +got):\n%s", diff)
			}
		})
	}
}
