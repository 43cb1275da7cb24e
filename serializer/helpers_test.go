package serializer

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/internal/golden"
)

// fixedNow is the clock of test serializers, so lastmodified is stable.
var fixedNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestSerializer builds a Serializer whose randomness (data keys, IVs) and
// clock are deterministic; age's own wrapping of the data key stays random.
func newTestSerializer(t testing.TB, opts Options) *Serializer {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	s.rand = rand.NewChaCha8([32]byte{'c', 's'})
	s.now = func() time.Time { return fixedNow }
	return s
}

// object parses a YAML manifest the way objects arrive from the API: JSON
// numbers become int64 or float64.
func object(t testing.TB, manifest string) *unstructured.Unstructured {
	t.Helper()
	return &unstructured.Unstructured{Object: objectMap(t, manifest)}
}

func objectMap(t testing.TB, manifest string) map[string]any {
	t.Helper()
	j, err := sigsyaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatalf("yaml to json: %v", err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		t.Fatalf("unmarshal json: %v", err)
	}
	return m
}

// readFile returns a file under testdata.
func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// identities parses an age identities file under testdata.
func identities(t testing.TB, name string) []age.Identity {
	t.Helper()
	ids, err := age.ParseIdentities(strings.NewReader(readFile(t, name)))
	if err != nil {
		t.Fatalf("parse identities %s: %v", name, err)
	}
	return ids
}

// testRecipients are the public keys of testdata/age/test-identities.txt.
var testRecipients = []string{
	"age1rvtynp3t470x4t5l3wn5dsqtjvvqvhxrre6nlu6y3jlu4w8yq4wqrxny3s",
	"age1rhtmqj3rer6py8cmg4eulfxdwj4p9ext8raw79dqg4u8sk0nt9pqjjwzen",
}

// checkGolden compares got with testdata/golden/name (golden.Check).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

// mustRender renders obj with s, failing the test on an error.
func mustRender(t testing.TB, s *Serializer, obj *unstructured.Unstructured) []byte {
	t.Helper()
	out, err := s.Render(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
