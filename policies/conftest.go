package policies

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// conftestRule matches the rule names conftest evaluates: deny, warn and
// violation, optionally suffixed (deny_privileged).
var conftestRule = regexp.MustCompile(`^(deny|warn|violation)(_[a-zA-Z0-9]+)*$`)

// conftestPolicy gathers what one (package, rule) pair is made of.
type conftestPolicy struct {
	pkg         ast.Ref
	rule        string
	file        string
	annotations []*ast.Annotations
}

// conftest compiles user Rego files (path -> source) as one policy set, the
// way conftest does: the input is the object itself, and every package's
// deny, warn and violation rules are policies. Each (package, rule) pair is
// one policy; its metadata comes from # METADATA blocks on the rule, then on
// the package.
func (l *loader) conftest(ctx context.Context, files map[string]string) ([]*policy, error) {
	if len(files) == 0 {
		return nil, nil
	}
	srcs := sources{}
	modules, err := srcs.parseModules(files)
	if err != nil {
		return nil, err
	}
	c, err := srcs.compile(modules)
	if err != nil {
		return nil, err
	}
	rules := collectConftestRules(modules)
	var out []*policy
	for _, key := range slices.Sorted(maps.Keys(rules.found)) {
		cp := rules.found[key]
		pkg := cp.pkg.String()
		ruleMeta, err := fromAnnotations(cp.annotations)
		if err != nil {
			return nil, err
		}
		pkgMeta, err := fromAnnotations(rules.pkgAnnotations[pkg])
		if err != nil {
			return nil, err
		}
		p, err := l.conftestPolicy(ctx, c, cp, srcs, ruleMeta, pkgMeta, rules.perPackage[pkg] > 1)
		if err != nil {
			return nil, err
		}
		if rules.excepting[pkg] {
			if p.exception, err = l.prepareConftestException(ctx, c, cp, srcs); err != nil {
				return nil, err
			}
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		l.log.Debug("no deny, warn or violation rules in the Rego policies", "files", len(files))
	}
	return out, nil
}

// parseModules parses every file; the errors of all of them come back
// together, each with its file and line.
func (s sources) parseModules(files map[string]string) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	var parseErrs CompileError
	for _, name := range slices.Sorted(maps.Keys(files)) {
		m, err := s.parseModule(name, files[name], regoAuto)
		if parseErrs.gather(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		modules[name] = m
	}
	if len(parseErrs.Errors) > 0 {
		return nil, &parseErrs
	}
	return modules, nil
}

// conftestRules are the deny, warn and violation rules of a set of
// modules, keyed by package and rule name.
type conftestRules struct {
	found          map[string]*conftestPolicy
	pkgAnnotations map[string][]*ast.Annotations
	perPackage     map[string]int  // rules per package
	excepting      map[string]bool // packages with an exception rule
}

func collectConftestRules(modules map[string]*ast.Module) conftestRules {
	rs := conftestRules{
		found: map[string]*conftestPolicy{}, pkgAnnotations: map[string][]*ast.Annotations{},
		perPackage: map[string]int{}, excepting: map[string]bool{},
	}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		pkg := m.Package.Path.String()
		rs.excepting[pkg] = rs.excepting[pkg] || hasExceptionRule(m)
		rs.pkgAnnotations[pkg] = append(rs.pkgAnnotations[pkg], packageAnnotations(m)...)
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			if len(ref) != 1 {
				continue
			}
			v, ok := ref[0].Value.(ast.Var)
			rule := string(v)
			if !ok || !conftestRule.MatchString(rule) {
				continue
			}
			key := pkg + "." + rule
			cp, ok := rs.found[key]
			if !ok {
				cp = &conftestPolicy{pkg: m.Package.Path, rule: rule, file: name}
				rs.found[key] = cp
				rs.perPackage[pkg]++
			}
			cp.annotations = append(cp.annotations, r.Annotations...)
		}
	}
	return rs
}

func (l *loader) conftestPolicy(ctx context.Context, c *ast.Compiler, cp *conftestPolicy, srcs sources, ruleMeta, pkgMeta metadata, shared bool) (*policy, error) {
	pkgName := strings.TrimPrefix(cp.pkg.String(), "data.")
	id := ruleMeta.id
	if id == "" && pkgMeta.id != "" {
		id = pkgMeta.id
		if shared {
			// One package-level id for several rules: tell them apart.
			id += "." + cp.rule
		}
	}
	if id == "" {
		id = pkgName + "." + cp.rule
	}
	meta := merge(ruleMeta, pkgMeta)
	outcome := findings.Fail
	if strings.HasPrefix(cp.rule, "warn") {
		outcome = findings.Warn
	}
	if meta.severity == "" {
		meta.severity = findings.Medium
		if outcome == findings.Warn {
			meta.severity = findings.Low
		}
	}
	if meta.title == "" {
		meta.title = id
	}
	match, err := decodeMatch(meta.match)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", cp.file, id, err)
	}
	ref := cp.pkg.Append(ast.StringTerm(cp.rule))
	q, err := l.prepare(ctx, c, ast.NewTerm(ref), srcs)
	if err != nil {
		return nil, err
	}
	return &policy{
		Policy: Policy{
			ID:          id,
			Title:       meta.title,
			Severity:    meta.severity,
			Description: meta.description,
			Remediation: meta.remediation,
			Controls:    meta.controls,
			File:        cp.file,
			Dialect:     DialectConftest,
			Outcome:     outcome,
			Match:       match.Match,
		},
		match: match,
		query: q,
		ref:   ref,
		srcs:  srcs,
	}, nil
}

// merge fills the empty fields of a from b.
func merge(a, b metadata) metadata {
	setIfEmpty(&a.title, b.title)
	setIfEmpty(&a.description, b.description)
	setIfEmpty(&a.remediation, b.remediation)
	if a.severity == "" {
		a.severity = b.severity
	}
	if a.controls == nil {
		a.controls = slices.Clone(b.controls)
	}
	if a.match == nil {
		a.match = b.match
	}
	return a
}
