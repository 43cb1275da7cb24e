package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/fieldpath"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// Compare compares declared objects with live ones and returns the drift:
// Modified (with a diff, the changed paths and who changed them),
// MissingLive and Unmanaged findings, sorted as findings.Report.Sort
// sorts them.
//
// Declared objects must carry their final namespace (Run fills in the
// default one). Live objects must carry their managedFields with field
// sets: they decide which fields the server defaulted (owned by no one, or
// by the update that created the object), which someone set by hand
// (owned by another manager: drift) and which a controller owns (never
// drift). Without DryRun, Compare touches nothing but its arguments.
//
// Problems are declared objects that could not be compared as asked: a
// second declaration of the same object, a failed server-side dry-run
// (the object is then compared locally).
//
// A declared object that is meant to go away (see goneAsMeant) and is
// gone is no finding.
func Compare(ctx context.Context, decl []Object, live []*unstructured.Unstructured, opts CompareOptions) ([]findings.Finding, []findings.Problem, error) {
	r, err := compare(ctx, decl, live, opts)
	if err != nil {
		return nil, nil, err
	}
	return r.Findings, r.Problems, nil
}

// compare is Compare, with the coverage summary of the declared objects.
func compare(ctx context.Context, decl []Object, live []*unstructured.Unstructured, opts CompareOptions) (*findings.Report, error) {
	c, err := opts.compile(decl, live)
	if err != nil {
		return nil, err
	}
	liveByKey := make(map[objectKey]*unstructured.Unstructured, len(live))
	for _, l := range live {
		liveByKey[keyOf(l)] = l
	}
	steps, pairs, declaredAt := planSteps(decl, liveByKey)
	err = forEach(ctx, len(pairs), func(j int) error {
		i := pairs[j]
		f, p, err := c.compareObject(ctx, decl[i], steps[i].live)
		steps[i].finding, steps[i].problems = f, p
		return err
	})
	if err != nil {
		return nil, err
	}
	out, problems, sum := tally(decl, steps)
	for _, k := range sortedKeys(liveByKey) {
		l := liveByKey[k]
		if _, ok := declaredAt[k]; ok || !c.inScope(l) || createdByCluster(l) {
			continue
		}
		out = append(out, findings.Finding{
			Type: findings.Unmanaged, Object: refOf(l),
			Message:     "in the cluster, declared nowhere",
			Attribution: attributions(managers(l)),
		})
	}
	r := &findings.Report{Findings: out, Problems: problems, Summary: sum}
	r.Sort()
	return r, nil
}

// compareStep is what Compare found for one declared object.
type compareStep struct {
	live     *unstructured.Unstructured // its live counterpart, to compare
	finding  *findings.Finding
	problems []findings.Problem
	skipped  string // why it was not compared
}

func refOf(obj *unstructured.Unstructured) findings.ObjectRef {
	return findings.ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// objectDrift is what compareObject found on one object.
type objectDrift struct {
	deltas      []delta
	paths       []fieldpath.Path // reported paths (added subtrees may be narrowed)
	attribution []*manager
}

// compareObject compares one declared object with its live counterpart.
func (c *comparer) compareObject(ctx context.Context, d Object, l *unstructured.Unstructured) (*findings.Finding, []findings.Problem, error) {
	var problems []findings.Problem
	target := d.Object
	if c.dryRun != nil {
		pred, err := c.dryRun.DryRunApply(ctx, d.Object, c.fieldManager)
		if err != nil {
			problems = append(problems, findings.Problem{
				Source:  d.Source,
				Message: fmt.Sprintf("server-side dry-run of %s failed, compared with the file instead: %v", refOf(d.Object), err),
			})
		} else {
			target = restrictTo(pred, c.fieldManager)
		}
	}
	dn, err := c.normalize(target, l)
	if err != nil {
		return nil, nil, err
	}
	ln, err := c.normalize(l, l)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := d.Object.Object["sops"]; ok {
		// Encrypted with SOPS: the declared values are ciphertext. The rest
		// of the object is still compared.
		for _, k := range []string{"sops", "data", "stringData", "binaryData"} {
			delete(dn, k)
			delete(ln, k)
		}
	}
	var deltas []delta
	diffValues(make(fieldpath.Path, 0, 16), dn, ln, &deltas)
	if len(deltas) == 0 {
		return nil, problems, nil
	}
	oc := c.newObjectCheck(d.Object, l)
	drift := oc.classify(deltas)
	if len(drift.deltas) == 0 {
		return nil, problems, nil
	}
	diffText, err := renderDiff(d, dn, drift)
	if err != nil {
		return nil, nil, err
	}
	paths := make([]string, 0, len(drift.paths))
	for _, p := range drift.paths {
		paths = append(paths, p.String())
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	attr := attributions(drift.attribution)
	if len(attr) == 0 && drift.hasRemovals() {
		// No entry owns a field that is gone: the last change is the best
		// lead to who removed it.
		attr = latest(oc.managers)
	}
	src := d.Source
	return &findings.Finding{
		Type: findings.Modified, Object: refOf(d.Object), Source: &src,
		Message:     modifiedMessage(drift.deltas),
		Diff:        diffText,
		Paths:       paths,
		Attribution: attr,
	}, problems, nil
}

func (od *objectDrift) hasRemovals() bool {
	for _, d := range od.deltas {
		if d.kind == removed {
			return true
		}
	}
	return false
}

func modifiedMessage(ds []delta) string {
	var n [3]int
	for _, d := range ds {
		n[d.kind]++
	}
	var parts []string
	for k, label := range []string{"changed", "removed", "added"} {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[k], label))
		}
	}
	return "live differs from the declaration: " + strings.Join(parts, ", ")
}

// normalize returns obj normalized by the serializer, with the ignore
// rules applied; meta is the object ignore rules are matched against.
func (c *comparer) normalize(obj, meta *unstructured.Unstructured) (map[string]any, error) {
	n, err := c.ser.Normalize(c.lean(obj))
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	c.ignore.Strip(meta, n.Object)
	return n.Object, nil
}

// lean returns obj without the fields normalization drops whole
// (managedFields, status), sharing everything else with obj, so that the
// serializer does not copy what it then throws away.
func (c *comparer) lean(obj *unstructured.Unstructured) *unstructured.Unstructured {
	meta, _ := obj.Object["metadata"].(map[string]any)
	_, hasManaged := meta["managedFields"]
	_, hasStatus := obj.Object["status"]
	hasManaged = hasManaged && c.dropsManagedFields
	hasStatus = hasStatus && c.dropsStatus
	if !hasManaged && !hasStatus {
		return obj
	}
	out := maps.Clone(obj.Object)
	if hasStatus {
		delete(out, "status")
	}
	if hasManaged {
		meta = maps.Clone(meta)
		delete(meta, "managedFields")
		out["metadata"] = meta
	}
	return &unstructured.Unstructured{Object: out}
}

// lastApplied parses kubectl's last-applied-configuration annotation.
func lastApplied(obj *unstructured.Unstructured) map[string]any {
	s, ok := obj.GetAnnotations()[serializer.LastAppliedAnnotation]
	if !ok {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// planSteps gives each declaration its cheap verdict — declared twice,
// missing live (or gone as meant) — and returns the indexes of those found
// on both sides, to compare field by field.
func planSteps(decl []Object, liveByKey map[objectKey]*unstructured.Unstructured) (steps []compareStep, pairs []int, declaredAt map[objectKey]findings.Source) {
	steps = make([]compareStep, len(decl))
	declaredAt = map[objectKey]findings.Source{}
	for i, d := range decl {
		k := keyOf(d.Object)
		if first, dup := declaredAt[k]; dup {
			steps[i].problems = []findings.Problem{{
				Source:  d.Source,
				Message: fmt.Sprintf("%s is declared twice; the declaration at %s is the one audited", refOf(d.Object), first),
			}}
			steps[i].skipped = fmt.Sprintf("declared again at %s, which is the one audited", first)
			continue
		}
		declaredAt[k] = d.Source
		l, ok := liveByKey[k]
		if !ok {
			if why, gone := goneAsMeant(d.Object); gone {
				steps[i].skipped = "not in the cluster, as meant: " + why
				continue
			}
			src := d.Source
			steps[i].finding = &findings.Finding{
				Type: findings.MissingLive, Object: refOf(d.Object), Source: &src,
				Message: "declared, but not in the cluster",
			}
			continue
		}
		steps[i].live = l
		pairs = append(pairs, i)
	}
	return steps, pairs, declaredAt
}

// tally collects the steps' findings and problems in declaration order and
// counts each declaration in the coverage summary.
func tally(decl []Object, steps []compareStep) ([]findings.Finding, []findings.Problem, *findings.Summary) {
	var out []findings.Finding
	var problems []findings.Problem
	sum := &findings.Summary{}
	for i, st := range steps {
		problems = append(problems, st.problems...)
		src := decl[i].Source
		switch {
		case st.skipped != "":
			sum.Add(refOf(decl[i].Object), &src, findings.Skipped, false, st.skipped)
		case st.finding != nil:
			out = append(out, *st.finding)
			sum.Add(refOf(decl[i].Object), &src, findings.Drifted, st.live != nil, "")
		default:
			sum.Add(refOf(decl[i].Object), &src, findings.InSync, true, "")
		}
	}
	return out, problems, sum
}
