package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Frameworks the bundled policies map to, in the order reports show them.
var knownFrameworks = []struct{ id, title string }{
	{"CIS", "CIS Kubernetes Benchmark"},
	{"NSA-CISA", "NSA/CISA Kubernetes Hardening Guide"},
	{"PSS", "Pod Security Standards"},
}

// Framework is one compliance framework and how each of its controls fared.
type Framework struct {
	// ID is the framework as policies name it ("CIS", "NSA-CISA", "PSS").
	ID    string
	Title string
	// Controls are the framework's controls some policy maps to, in the
	// framework's order ("5.1.2" before "5.1.10").
	Controls []ControlStatus
}

// ControlStatus is how one control fared over every object its policies
// were evaluated on.
type ControlStatus struct {
	findings.Control
	// Policies are the ids of the policies that map to the control.
	Policies []string
	// Passed and Failed are summed over the control's policies from
	// Report.Policies: Failed evaluations, and Evaluated - Failed passes.
	// A policy with findings but no stats counts its fail and error
	// findings as failures and nothing as passes.
	Passed, Failed int
	// Objects are the policy findings of the control's policies, warnings
	// included: the failing objects an auditor asks for.
	Objects []ControlFinding
}

// ControlFinding is one object a control's policy fired on.
type ControlFinding struct {
	Object  findings.ObjectRef
	Policy  string
	Outcome findings.Outcome
	Message string
	Live    bool
	Source  *findings.Source
}

// Status is "fail" when any evaluation failed or errored, "warn" when only
// warnings fired, "not-evaluated" when no policy of the control was
// evaluated on any object (nothing was checked, so nothing passed), "pass"
// otherwise (excepted objects pass: they were evaluated).
func (c ControlStatus) Status() string {
	status := StatusPass
	if c.Failed > 0 {
		return StatusFail
	}
	for _, o := range c.Objects {
		switch {
		case o.Outcome.Failing():
			return StatusFail
		case o.Outcome == findings.Warn:
			status = StatusWarn
		}
	}
	if status == StatusPass && c.Passed == 0 && len(c.Objects) == 0 {
		return StatusNotEvaluated
	}
	return status
}

// Compliance maps the report's policies onto the controls they cover: every
// known framework (CIS, NSA-CISA, PSS, in that order, even with no control
// covered) followed by any other framework a policy names, alphabetically.
// It is empty when the report holds no policy results at all.
func Compliance(r *findings.Report) []Framework {
	if r == nil {
		return nil
	}
	r = prepare(r)
	policies := policiesOf(r)
	if len(policies) == 0 {
		return nil
	}

	controls := map[controlKey]*ControlStatus{}
	frameworks := map[string]bool{}
	ids := make([]string, 0, len(policies))
	for id := range policies {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := policies[id]
		seen := map[controlKey]bool{}
		for _, c := range p.controls {
			k := controlKey{c.Framework, c.ID}
			if seen[k] {
				continue
			}
			seen[k] = true
			frameworks[c.Framework] = true
			cs, ok := controls[k]
			if !ok {
				cs = &ControlStatus{Control: findings.Control{Framework: c.Framework, ID: c.ID}}
				controls[k] = cs
			}
			if cs.Title == "" {
				cs.Title = controlTitle(c.Framework, c.ID, c.Title)
			}
			cs.Policies = append(cs.Policies, id)
			if p.stat != nil {
				cs.Failed += p.stat.Failed
				cs.Passed += max(p.stat.Evaluated-p.stat.Failed, 0)
			}
			for _, f := range p.findings {
				if p.stat == nil && f.Policy.Outcome.Failing() {
					cs.Failed++
				}
				cs.Objects = append(cs.Objects, ControlFinding{
					Object: f.Object, Policy: id, Outcome: f.Policy.Outcome,
					Message: f.Message, Live: f.Live, Source: f.Source,
				})
			}
		}
	}

	return frameworksOf(frameworks, controls)
}

// naturalCompare orders control ids with their numbers compared as numbers:
// "5.1.2" < "5.1.10" < "5.2".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ca, ra := chunk(a)
		cb, rb := chunk(b)
		na, errA := strconv.Atoi(ca)
		nb, errB := strconv.Atoi(cb)
		var d int
		if errA == nil && errB == nil {
			d = cmp.Compare(na, nb)
		} else {
			d = strings.Compare(ca, cb)
		}
		if d != 0 {
			return d
		}
		a, b = ra, rb
	}
	return cmp.Compare(len(a), len(b))
}

// chunk splits s into a leading run of digits, or of non-digits, and the rest.
func chunk(s string) (head, rest string) {
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	d := digit(s[0])
	i := 1
	for i < len(s) && digit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

// policyInfo is what a report says of one policy: its counts, the controls
// it maps to and its findings.
type policyInfo struct {
	stat     *findings.PolicyStat
	controls []findings.Control
	findings []findings.Finding
}

type controlKey struct{ framework, id string }

// policiesOf gathers each policy's counts, controls and findings.
func policiesOf(r *findings.Report) map[string]*policyInfo {
	policies := map[string]*policyInfo{}
	get := func(id string) *policyInfo {
		p, ok := policies[id]
		if !ok {
			p = &policyInfo{}
			policies[id] = p
		}
		return p
	}
	for i := range r.Policies {
		p := get(r.Policies[i].ID)
		p.stat = &r.Policies[i]
		p.controls = append(p.controls, r.Policies[i].Controls...)
	}
	for _, f := range r.Findings {
		if f.Type != findings.Policy || f.Policy == nil {
			continue
		}
		p := get(f.Policy.ID)
		p.controls = append(p.controls, f.Policy.Controls...)
		p.findings = append(p.findings, f)
	}
	return policies
}

// frameworksOf orders the frameworks (the known ones first, then the
// others alphabetically) and their controls.
func frameworksOf(frameworks map[string]bool, controls map[controlKey]*ControlStatus) []Framework {
	var out []Framework
	for _, kf := range knownFrameworks {
		out = append(out, Framework{ID: kf.id, Title: kf.title})
		delete(frameworks, kf.id)
	}
	others := make([]string, 0, len(frameworks))
	for fw := range frameworks {
		others = append(others, fw)
	}
	slices.Sort(others)
	for _, fw := range others {
		out = append(out, Framework{ID: fw, Title: fw})
	}
	for i := range out {
		for k, cs := range controls {
			if k.framework == out[i].ID {
				slices.SortStableFunc(cs.Objects, func(a, b ControlFinding) int {
					return cmp.Or(a.Object.Compare(b.Object), strings.Compare(a.Policy, b.Policy))
				})
				out[i].Controls = append(out[i].Controls, *cs)
			}
		}
		slices.SortFunc(out[i].Controls, func(a, b ControlStatus) int { return naturalCompare(a.ID, b.ID) })
	}
	return out
}
