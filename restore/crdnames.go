package restore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// crdDir is where the backup layout keeps a cluster's
// CustomResourceDefinitions.
func crdDir(cluster string) string {
	return serializer.ResourceDir(cluster, "", "apiextensions.k8s.io", "customresourcedefinitions")
}

// kindAliases maps the lower-case short names that custom resources
// declare (spec.names.shortNames of their CRDs) to their resources. (A
// singular name is the kind in lower case, which references match already.) kubectl
// learns them from discovery; the backup holds the same CRDs, so references
// resolve offline and before the CRDs exist in the target cluster.
type kindAliases map[string][]schema.GroupResource

// add reads one CRD file and adds its names.
func (a kindAliases) add(data []byte) {
	var crd struct {
		Spec struct {
			Group string `json:"group"`
			Names struct {
				Plural     string   `json:"plural"`
				ShortNames []string `json:"shortNames"`
			} `json:"names"`
		} `json:"spec"`
	}
	if yaml.Unmarshal(data, &crd) != nil || crd.Spec.Names.Plural == "" {
		return // not a CRD this resolver can read; references use the kind or plural
	}
	gr := schema.GroupResource{Group: crd.Spec.Group, Resource: crd.Spec.Names.Plural}
	for _, n := range crd.Spec.Names.ShortNames {
		n = strings.ToLower(n)
		if n != "" && !slices.Contains(a[n], gr) {
			a[n] = append(a[n], gr)
		}
	}
}

// aliasesOf reads the CRDs among a snapshot's files.
func aliasesOf(files []backupFile, cluster string) kindAliases {
	a := kindAliases{}
	dir := crdDir(cluster) + "/"
	for _, f := range files {
		if strings.HasPrefix(f.Path, dir) {
			a.add(f.Data)
		}
	}
	return a
}

// aliasesAt reads the CRDs of a cluster's directory at one commit.
func aliasesAt(root *object.Tree, cluster string) (kindAliases, error) {
	a := kindAliases{}
	err := committer.ReadFiles(root, crdDir(cluster), func(_ string, data []byte) error {
		a.add(data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read CRDs: %w", err)
	}
	return a, nil
}

// resolve turns a query whose TYPE is a custom resource's short name (as
// "wd" or "wd.example.com") into one naming its resource and group, as
// kubectl's shortcut expansion does. A name two CRDs declare is refused, naming both, as kubectl's resolution would be a
// guess; the fully qualified form picks one.
func (a kindAliases) resolve(q ObjectQuery) (ObjectQuery, error) {
	grs := a[strings.ToLower(q.Kind)]
	if q.GroupSet { // "wd.example.com": the short name in that group
		grs = slices.DeleteFunc(slices.Clone(grs), func(gr schema.GroupResource) bool { return gr.Group != q.Group })
	}
	switch len(grs) {
	case 0:
		return q, nil
	case 1:
		q.Kind, q.Group, q.GroupSet = grs[0].Resource, grs[0].Group, true
		return q, nil
	}
	names := make([]string, len(grs))
	for i, gr := range grs {
		names[i] = gr.String()
	}
	return q, fmt.Errorf("%w: %q is a name of %s in the backup; name one as resource.group (e.g. %s/%s)",
		ErrInvalidConfig, q.Kind, strings.Join(names, " and "), names[0], q.Name)
}

// resolveAll resolves each query.
func (a kindAliases) resolveAll(qs []ObjectQuery) ([]ObjectQuery, error) {
	out := make([]ObjectQuery, len(qs))
	for i, q := range qs {
		r, err := a.resolve(q)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}
