// Command defaults writes the table of the API server's defaults that
// clusterscribe audit applies offline: for every built-in kind of the
// Kubernetes version this module requires, the fields the upstream
// defaulting functions (the ones kube-apiserver runs on every write) set,
// with their values.
//
// It probes the defaulters: every kind is built with each nested struct
// allocated and each list holding one item, defaulted, and compared with
// what it was. Defaults that depend on other fields (an image's tag, a
// Service port, whether a list is empty) are found by defaulting again
// with every other field filled in, and with the lists left empty; such
// defaults are listed as conditional, and the audit does not apply them.
//
//	go run . > ../../../audit/defaults/builtin.json
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	aggregatorinstall "k8s.io/kube-aggregator/pkg/apis/apiregistration/install"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/admissionregistration/install"
	_ "k8s.io/kubernetes/pkg/apis/apiserverinternal/install"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/certificates/install"
	_ "k8s.io/kubernetes/pkg/apis/coordination/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/discovery/install"
	_ "k8s.io/kubernetes/pkg/apis/events/install"
	_ "k8s.io/kubernetes/pkg/apis/flowcontrol/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/node/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/rbac/install"
	_ "k8s.io/kubernetes/pkg/apis/resource/install"
	_ "k8s.io/kubernetes/pkg/apis/scheduling/install"
	_ "k8s.io/kubernetes/pkg/apis/storage/install"
	_ "k8s.io/kubernetes/pkg/apis/storagemigration/install"
)

// kubernetesVersion returns the version of k8s.io/kubernetes this
// command was built with: the one go.mod requires.
func kubernetesVersion() (string, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("no build information")
	}
	for _, d := range bi.Deps {
		if d.Path == "k8s.io/kubernetes" {
			return d.Version, nil
		}
	}
	return "", errors.New("not built with k8s.io/kubernetes")
}

// Table is the file written: kinds by apiVersion and kind.
type Table struct {
	KubernetesVersion string           `json:"kubernetesVersion"`
	Kinds             map[string][]Def `json:"kinds"`
}

// Def is one default: the field's path ("." between keys, "[]" for every
// item of a list) and the value the server sets when it is absent.
type Def struct {
	Path        string          `json:"path"`
	Value       json.RawMessage `json:"value,omitempty"`
	Conditional bool            `json:"conditional,omitempty"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "defaults:", err)
		os.Exit(1)
	}
}

func run() error {
	schemes := []*runtime.Scheme{legacyscheme.Scheme, runtime.NewScheme(), runtime.NewScheme()}
	apiextensionsinstall.Install(schemes[1])
	aggregatorinstall.Install(schemes[2])
	version, err := kubernetesVersion()
	if err != nil {
		return err
	}
	t := Table{KubernetesVersion: version, Kinds: map[string][]Def{}}
	type kind struct {
		scheme *runtime.Scheme
		gvk    schema.GroupVersionKind
		typ    reflect.Type
		base   map[string]json.RawMessage
	}
	var kinds []*kind
	for _, s := range schemes {
		for gvk, typ := range s.AllKnownTypes() {
			if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") ||
				strings.HasSuffix(gvk.Kind, "Options") || typ.Kind() != reflect.Struct {
				continue
			}
			base, err := defaulted(s, typ, baseProbe)
			if err != nil {
				return fmt.Errorf("%s: %w", gvk, err)
			}
			kinds = append(kinds, &kind{scheme: s, gvk: gvk, typ: typ, base: base})
		}
	}
	// Defaults that are the time of the write differ a second later.
	time.Sleep(1100 * time.Millisecond)
	for _, k := range kinds {
		defs, err := probeKind(k.scheme, k.typ, k.base)
		if err != nil {
			return fmt.Errorf("%s: %w", k.gvk, err)
		}
		if len(defs) > 0 {
			t.Kinds[key(k.gvk)] = defs
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	return enc.Encode(t)
}

func key(gvk schema.GroupVersionKind) string {
	return gvk.GroupVersion().String() + " " + gvk.Kind
}

// baseProbe has every optional struct and one item in every list.
var baseProbe = probe{lists: true, pointers: true}

// probeKind defaults the probes of one kind and lists what changed from
// base, what the base probe gave earlier.
func probeKind(s *runtime.Scheme, typ reflect.Type, base map[string]json.RawMessage) ([]Def, error) {
	// The same defaults must come out later, whatever the other fields
	// hold, and with no optional struct or list present.
	var others []map[string]json.RawMessage
	for _, pr := range []probe{
		baseProbe,
		{lists: true, pointers: true, fill: base, sample: "x:1"},
		{lists: true, pointers: true, fill: base, sample: "x"},
		{},
	} {
		o, err := defaulted(s, typ, pr)
		if err != nil {
			return nil, err
		}
		others = append(others, o)
	}
	var defs []Def
	for _, p := range slices.Sorted(maps.Keys(base)) {
		if strings.HasPrefix(p, "!") {
			continue
		}
		v := base[p]
		d := Def{Path: p, Value: v}
		for i, o := range others {
			got, ok := o[p]
			if (ok && string(got) != string(v)) || (!ok && i < 3) {
				d.Conditional, d.Value = true, nil
			}
		}
		if _, changed := base["!"+p]; d.Conditional && !changed {
			continue // a zero value of a field the manifest sets
		}
		defs = append(defs, d)
	}
	return defs, nil
}

// defaulted builds a probe of typ, defaults it with the scheme's
// defaulting functions and returns the fields defaulting set, by path.
//
// Fields defaulting changed (rather than zero values it stored) are keyed
// with a leading "!" as well, so that later probes leave them unset.
func defaulted(s *runtime.Scheme, typ reflect.Type, pr probe) (map[string]json.RawMessage, error) {
	obj := reflect.New(typ)
	pr.build(obj.Elem(), "", nil)
	before, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj.Interface())
	if err != nil {
		return nil, err
	}
	s.Default(obj.Interface().(runtime.Object))
	after, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj.Interface())
	if err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{}
	// Zero values the server stores are recorded too (a quantity's "0", a
	// non-optional int's 0): they are what it stores for a field left
	// unset, as much as the defaults. (Only the probe's own samples are
	// not, and those are never looked at: see probeKind.)
	c := changes{out: out, stored: true}
	if err := c.walk("", before, after); err != nil {
		return nil, err
	}
	for p := range out {
		q := strings.TrimPrefix(p, "!")
		if q == "apiVersion" || q == "kind" || strings.HasPrefix(q, "metadata.") || strings.HasPrefix(q, "status.") {
			delete(out, p)
		}
	}
	return out, nil
}

// changes collects the values of a defaulted probe.
type changes struct {
	out    map[string]json.RawMessage
	stored bool
}

// walk records the values of after that differ from before, and when
// c.stored every scalar of after.
func (c changes) walk(p string, before, after any) error {
	switch a := after.(type) {
	case map[string]any:
		if b, ok := before.(map[string]any); ok {
			for k, v := range a {
				if err := c.walk(join(p, k), b[k], v); err != nil {
					return err
				}
			}
			return nil
		}
	case []any:
		if b, ok := before.([]any); ok && len(a) == len(b) {
			for i := range a {
				if err := c.walk(p+"[]", b[i], a[i]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if after == nil || (reflect.DeepEqual(before, after) && !c.stored) {
		return nil
	}
	if _, isMap := after.(map[string]any); isMap && c.stored && reflect.DeepEqual(before, after) {
		return nil
	}
	if _, isList := after.([]any); isList && c.stored && reflect.DeepEqual(before, after) {
		return nil
	}
	v, err := json.Marshal(after)
	if err != nil {
		return err
	}
	c.out[p] = v
	if !reflect.DeepEqual(before, after) {
		c.out["!"+p] = v
	}
	return nil
}

func join(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}
