package restore

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// TestAliasesAtAndOfAgree reads the short names of a backup's CRDs the two
// ways restore does, at a commit (history) and from a snapshot's files,
// and wants the same answer, including for a CRD whose name is so long
// that the backup layout splits its file name into directories.
func TestAliasesAtAndOfAgree(t *testing.T) {
	crd := func(group, plural, short string) string {
		return "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: " + plural + "." + group +
			"\nspec:\n  group: " + group + "\n  names:\n    plural: " + plural + "\n    shortNames: [" + short + "]\n"
	}
	long := strings.Repeat("g", 60) + "." + strings.Repeat("h", 60) + "." + strings.Repeat("i", 58) + ".example.com" // with the plural, 253 bytes: the longest name a CRD may have
	longPlural := strings.Repeat("p", 60)
	if name := longPlural + "." + long; !strings.Contains(serializer.NamePath(name), "/") {
		t.Fatalf("a %d-byte name is not split; the test needs one that is", len(name))
	}
	dir := crdDir("test")
	files := map[string]string{
		dir + "/" + serializer.NamePath("widgets.example.com"):                                       crd("example.com", "widgets", "wd"),
		dir + "/" + serializer.NamePath(longPlural+"."+long):                                         crd(long, longPlural, "lg"),
		serializer.ResourceDir("test", "default", "", "configmaps") + "/" + serializer.NamePath("x"): "apiVersion: v1\nkind: ConfigMap\n",
	}
	repo, head := gittest.NewRepo(t, t.TempDir(), files)
	at, err := aliasesAt(commitTree(t, repo, head), "test")
	if err != nil {
		t.Fatal(err)
	}
	var snapshot []backupFile
	for p, data := range files {
		snapshot = append(snapshot, backupFile{Path: p, Data: []byte(data)})
	}
	want := kindAliases{
		"wd": {{Group: "example.com", Resource: "widgets"}},
		"lg": {schema.GroupResource{Group: long, Resource: longPlural}},
	}
	if diff := cmp.Diff(want, at); diff != "" {
		t.Errorf("aliasesAt (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, aliasesOf(snapshot, "test")); diff != "" {
		t.Errorf("aliasesOf (-want +got):\n%s", diff)
	}
}
