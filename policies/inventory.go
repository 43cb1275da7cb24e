package policies

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// inventory is data.inventory as Gatekeeper syncs it:
// cluster[groupVersion][kind][name] for cluster-scoped objects and
// namespace[ns][groupVersion][kind][name] for namespaced ones. It holds the
// objects of the kinds the policies read from it (see inventoryNeeds).
type inventory struct {
	cluster   map[string]map[string]map[string]ast.Value
	namespace map[string]map[string]map[string]map[string]ast.Value
	// nsLabels are the labels of every Namespace object, for
	// namespaceSelector.
	nsLabels map[string]map[string]string
}

// buildInventory converts the objects needs wants (setting their value)
// and files them; later objects replace earlier ones of the same name.
func buildInventory(objs []*object, needs *inventoryNeeds) (*inventory, error) {
	inv := &inventory{
		cluster:   map[string]map[string]map[string]ast.Value{},
		namespace: map[string]map[string]map[string]map[string]ast.Value{},
		nsLabels:  map[string]map[string]string{},
	}
	for i, o := range objs {
		if o.isNamespace {
			inv.nsLabels[o.ref.Name] = o.labels
		}
		if !needs.wants(o.ref.APIVersion, o.ref.Kind) {
			continue
		}
		v, err := o.convert()
		if err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
		o.value = v
		byGV := inv.cluster
		if ns := o.ref.Namespace; ns != "" {
			if inv.namespace[ns] == nil {
				inv.namespace[ns] = map[string]map[string]map[string]ast.Value{}
			}
			byGV = inv.namespace[ns]
		}
		if byGV[o.ref.APIVersion] == nil {
			byGV[o.ref.APIVersion] = map[string]map[string]ast.Value{}
		}
		byKind := byGV[o.ref.APIVersion]
		if byKind[o.ref.Kind] == nil {
			byKind[o.ref.Kind] = map[string]ast.Value{}
		}
		byKind[o.ref.Kind][o.ref.Name] = v
	}
	return inv, nil
}

func (inv *inventory) labelsOf(ns string) map[string]string { return inv.nsLabels[ns] }

// value is the inventory as one AST object.
func (inv *inventory) value() ast.Object {
	nsObj := ast.NewObject()
	for ns, byGV := range inv.namespace {
		nsObj.Insert(ast.StringTerm(ns), ast.NewTerm(gvValue(byGV)))
	}
	return ast.NewObject(
		ast.Item(ast.StringTerm("cluster"), ast.NewTerm(gvValue(inv.cluster))),
		ast.Item(ast.StringTerm("namespace"), ast.NewTerm(nsObj)),
	)
}

func gvValue(byGV map[string]map[string]map[string]ast.Value) ast.Object {
	out := ast.NewObject()
	for gv, byKind := range byGV {
		kinds := ast.NewObject()
		for kind, byName := range byKind {
			names := ast.NewObject()
			for name, v := range byName {
				names.Insert(ast.StringTerm(name), ast.NewTerm(v))
			}
			kinds.Insert(ast.StringTerm(kind), ast.NewTerm(names))
		}
		out.Insert(ast.StringTerm(gv), ast.NewTerm(kinds))
	}
	return out
}

// inventoryRef is where the inventory is mounted.
var inventoryRef = ast.MustParseRef("data.inventory")

// inventoryNeeds says which objects data.inventory must hold for the
// loaded policies: those of the (groupVersion, kind) pairs their rules
// reference, found by reading every reference to data in the compiled
// modules. A reference it cannot pin down (data or the inventory taken
// whole, a variable where the section is, a whole namespace) makes the
// inventory hold every object, as Gatekeeper's does. Keeping the rest out
// spares converting (and holding) objects no policy reads.
type inventoryNeeds struct {
	all   bool
	kinds map[gvKind]bool // "" in either part stands for any
}

type gvKind struct{ gv, kind string }

// wants reports whether objects of apiVersion and kind go into the
// inventory.
func (n *inventoryNeeds) wants(apiVersion, kind string) bool {
	if n.all {
		return true
	}
	return n.kinds[gvKind{apiVersion, kind}] || n.kinds[gvKind{"", kind}] ||
		n.kinds[gvKind{apiVersion, ""}] || n.kinds[gvKind{"", ""}]
}

// addCompiler adds what the modules of c read from the inventory.
func (n *inventoryNeeds) addCompiler(c *ast.Compiler) {
	for _, m := range c.Modules {
		if m.Package != nil && m.Package.Path.HasPrefix(inventoryRef) {
			// Rules of their own under data.inventory: read it all.
			n.all = true
			return
		}
		n.walk(m)
	}
}

// walk adds the references below x. data other than as the head of a
// reference (data taken whole) reads everything.
func (n *inventoryNeeds) walk(x any) {
	ast.NewGenericVisitor(func(x any) bool {
		switch v := x.(type) {
		case ast.Ref:
			n.addRef(v)
			for i, t := range v {
				if _, isVar := t.Value.(ast.Var); i > 0 || !isVar {
					n.walk(t) // the head too when it is a call
				}
			}
			return true
		case ast.Var:
			if v.Equal(ast.DefaultRootDocument.Value) {
				n.all = true
			}
		}
		return false
	}).Walk(x)
}

// addRef adds what one reference reads. Past data.inventory come the
// section (cluster or namespace), for namespace the namespace, then the
// groupVersion and the kind.
func (n *inventoryNeeds) addRef(r ast.Ref) {
	if len(r) == 0 || !r[0].Equal(ast.DefaultRootDocument) {
		return
	}
	if len(r) == 1 {
		n.all = true
		return
	}
	root, ok := r[1].Value.(ast.String)
	if !ok {
		if !r[1].IsGround() {
			n.all = true // data[x]
		}
		return
	}
	if root != "inventory" {
		return
	}
	if len(r) == 2 {
		n.all = true
		return
	}
	var gvAt int
	switch section := r[2].Value.(type) {
	case ast.String:
		switch section {
		case "cluster":
			gvAt = 3
		case "namespace":
			gvAt = 4
		default:
			return // not a section: undefined, whatever the objects
		}
	default:
		if !r[2].IsGround() {
			n.all = true
		}
		return
	}
	if len(r) <= gvAt {
		n.all = true
		return
	}
	var k gvKind
	if s, ok := r[gvAt].Value.(ast.String); ok {
		k.gv = string(s)
	}
	if len(r) > gvAt+1 {
		if s, ok := r[gvAt+1].Value.(ast.String); ok {
			k.kind = string(s)
		}
	}
	if n.kinds == nil {
		n.kinds = map[gvKind]bool{}
	}
	n.kinds[k] = true
}
