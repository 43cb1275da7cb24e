package policies

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// bundledFS holds the bundled policy set: one package per policy under
// clusterscribe.bundled, a deny rule each, metadata in the package's
// # METADATA block, and the opa-test style tests next to each policy.
//
//go:embed bundled
var bundledFS embed.FS

// bundledPackage is the package every bundled policy lives under.
var bundledPackage = ast.MustParseRef("data.clusterscribe.bundled")

// bundledModules parses the bundled Rego (tests included when tests is
// true), keyed by path.
func bundledModules(tests bool) (map[string]*ast.Module, sources, error) {
	modules := map[string]*ast.Module{}
	srcs := sources{}
	err := fs.WalkDir(bundledFS, "bundled", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" {
			return err
		}
		if strings.HasSuffix(p, "_test.rego") && !tests {
			return nil
		}
		src, err := bundledFS.ReadFile(p)
		if err != nil {
			return err
		}
		m, err := srcs.parseModule(p, string(src), regoV1)
		if err != nil {
			return err
		}
		modules[p] = m
		return nil
	})
	return modules, srcs, err
}

// bundled compiles the bundled policies, leaving out those switched off
// and those whose required parameter is empty. They form one batch, so
// that an object is evaluated by all those matching it at once.
func (l *loader) bundled(ctx context.Context, params Params) ([]*policy, error) {
	modules, srcs, err := bundledModules(false)
	if err != nil {
		return nil, err
	}
	c, err := srcs.compile(modules)
	if err != nil {
		return nil, err
	}
	disabled := map[string]bool{}
	for _, id := range params.Disable {
		disabled[id] = true
	}
	var out []*policy
	known := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		if !m.Package.Path.HasPrefix(bundledPackage) {
			continue
		}
		p, err := l.bundledPolicy(ctx, c, m, srcs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		known[p.ID] = true
		if disabled[p.ID] || !params.has(p.requires) {
			l.log.Debug("bundled policy off", "policy", p.ID, "disabled", disabled[p.ID])
			continue
		}
		p.match.ExcludedNamespaces = append(p.match.ExcludedNamespaces, params.ExcludedNamespaces...)
		p.Match = p.match.Match
		out = append(out, p.policy)
	}
	for _, id := range params.Disable {
		if !known[id] {
			return nil, fmt.Errorf("--%s: %q is not a bundled policy", flagDisablePolicies, id)
		}
	}
	slices.SortFunc(out, func(a, b *policy) int { return strings.Compare(a.ID, b.ID) })
	if len(out) == 0 {
		return out, nil
	}
	refs := make([]ast.Ref, len(out))
	for i, p := range out {
		refs[i] = p.ref
	}
	store, log := l.store, l.log
	b := newBatch(refs, func(ctx context.Context, term *ast.Term) (rego.PreparedEvalQuery, error) {
		return prepareQuery(ctx, store, log, c, term, srcs)
	})
	for i, p := range out {
		p.batch, p.slot = b, i
	}
	return out, nil
}

type bundledPolicy struct {
	*policy
	requires string
}

func (l *loader) bundledPolicy(ctx context.Context, c *ast.Compiler, m *ast.Module, srcs sources) (bundledPolicy, error) {
	meta, err := fromAnnotations(packageAnnotations(m))
	if err != nil {
		return bundledPolicy{}, err
	}
	if meta.id == "" || meta.title == "" || meta.severity == "" || meta.description == "" || meta.remediation == "" {
		return bundledPolicy{}, fmt.Errorf("package %s: metadata needs title, description and custom id, severity, remediation", m.Package.Path)
	}
	match, err := decodeMatch(meta.match)
	if err != nil {
		return bundledPolicy{}, err
	}
	ref := m.Package.Path.Append(ast.StringTerm("deny"))
	q, err := l.prepare(ctx, c, ast.NewTerm(ref), srcs)
	if err != nil {
		return bundledPolicy{}, err
	}
	return bundledPolicy{
		policy: &policy{
			Policy: Policy{
				ID:          meta.id,
				Title:       meta.title,
				Severity:    meta.severity,
				Description: meta.description,
				Remediation: meta.remediation,
				Controls:    meta.controls,
				File:        "bundled:" + meta.id,
				Dialect:     DialectBundled,
				Outcome:     findings.Fail,
				Match:       match.Match,
			},
			match: match,
			query: q,
			ref:   ref,
			srcs:  srcs,
		},
		requires: meta.requires,
	}, nil
}

// has reports whether the named parameter is set ("" always is).
func (p Params) has(name string) bool {
	switch name {
	case "":
		return true
	case "allowedRegistries":
		return len(p.AllowedRegistries) > 0
	case "requiredLabels":
		return len(p.RequiredLabels) > 0
	}
	return false
}

// packageAnnotations are the package-scoped # METADATA blocks of a module.
func packageAnnotations(m *ast.Module) []*ast.Annotations {
	var out []*ast.Annotations
	for _, a := range m.Annotations {
		if a.Scope == "package" {
			out = append(out, a)
		}
	}
	return out
}
