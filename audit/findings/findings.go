// Package findings is the one model of what audit and policy evaluation
// find: drift between live and declared state, policy results and the
// problems met on the way. Report formats (package audit/report) render it;
// nothing here knows about output.
package findings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Type is what kind of finding it is.
type Type string

// Finding types.
const (
	// Modified: the live object differs from its declaration.
	Modified Type = "Modified"
	// MissingLive: declared, but not in the cluster.
	MissingLive Type = "MissingLive"
	// Unmanaged: in the cluster and in scope, declared nowhere.
	Unmanaged Type = "Unmanaged"
	// Policy: a policy rule fired (or failed to evaluate) on an object.
	Policy Type = "Policy"
)

// Severity orders policy findings; drift findings have none.
type Severity string

// Severities, most severe first.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Rank is the sort order of a severity (0 is most severe).
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 0
	case High:
		return 1
	case Medium:
		return 2
	case Low:
		return 3
	default:
		return 4
	}
}

// ObjectRef names an object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Group returns the API group of the reference ("" for core).
func (o ObjectRef) Group() string {
	if i := strings.Index(o.APIVersion, "/"); i >= 0 {
		return o.APIVersion[:i]
	}
	return ""
}

// String renders "Kind.group namespace/name" ("Kind name" for core,
// cluster-scoped objects).
func (o ObjectRef) String() string {
	if o.Namespace != "" {
		return o.KindGroup() + " " + o.Namespace + "/" + o.Name
	}
	return o.KindGroup() + " " + o.Name
}

// KindGroup is "Kind.group" ("Kind" for the core group), as kubectl
// names a kind.
func (o ObjectRef) KindGroup() string {
	if g := o.Group(); g != "" {
		return o.Kind + "." + g
	}
	return o.Kind
}

// Compare orders references by namespace, kind, name and API version.
func (o ObjectRef) Compare(p ObjectRef) int {
	return cmp.Or(
		strings.Compare(o.Namespace, p.Namespace), strings.Compare(o.Kind, p.Kind),
		strings.Compare(o.Name, p.Name), strings.Compare(o.APIVersion, p.APIVersion),
	)
}

// Source is where a declared object was read from.
type Source struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
}

func (s Source) String() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return s.File
}

// Attribution names who last touched something, from managedFields.
type Attribution struct {
	Manager   string    `json:"manager"`
	Operation string    `json:"operation,omitempty"`
	Time      time.Time `json:"time,omitzero"`
}

// ChangedBy is the person who last changed an object, from the API
// server's audit log: the audit webhook (run) or the Changed-By lines of
// the backup branch (audit --backup-repo).
type ChangedBy struct {
	User      string    `json:"user"`
	Groups    []string  `json:"groups,omitempty"`
	As        string    `json:"as,omitempty"` // the user impersonated
	UserAgent string    `json:"userAgent,omitempty"`
	Verb      string    `json:"verb,omitempty"`
	Time      time.Time `json:"time,omitzero"`
}

// String renders "alice (as bob) with kubectl/v1.36.3 at 2026-11-22T03:12:00Z",
// leaving out what is unknown.
func (c *ChangedBy) String() string {
	if c == nil || c.User == "" {
		return ""
	}
	s := c.User
	if c.As != "" {
		s += " (as " + c.As + ")"
	}
	if ua, _, _ := strings.Cut(c.UserAgent, " "); ua != "" {
		s += " with " + ua
	}
	if !c.Time.IsZero() {
		s += " at " + c.Time.UTC().Format(time.RFC3339)
	}
	return s
}

// Control is one control of a compliance framework a policy maps to.
type Control struct {
	// Framework is "CIS", "NSA-CISA" or "PSS".
	Framework string `json:"framework"`
	// ID is the framework's id of the control ("5.2.1", "baseline").
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

// Outcome of a policy on an object.
type Outcome string

// Policy outcomes.
const (
	Fail  Outcome = "fail"
	Warn  Outcome = "warn"
	Error Outcome = "error" // the policy could not be evaluated on the object
	// Exception: the rule fired, but the object (an annotation) or the
	// policy (a conftest exception rule) excepts it on purpose. It is
	// reported with its reason and counted, never hidden, and fails
	// nothing.
	Exception Outcome = "exception"
)

// Failing reports whether the outcome fails a run: fail and error do;
// warn and exception do not.
func (o Outcome) Failing() bool { return o == Fail || o == Error }

// PolicyResult is the policy part of a Policy finding.
type PolicyResult struct {
	ID string `json:"id"`
	// Rule is the rule within the policy that fired: a Gatekeeper
	// constraint's name, a conftest rule ("deny", "warn", "violation").
	// Empty when the policy is a single rule.
	Rule        string    `json:"rule,omitempty"`
	Title       string    `json:"title"`
	Severity    Severity  `json:"severity"`
	Outcome     Outcome   `json:"outcome"`
	Description string    `json:"description,omitempty"`
	Remediation string    `json:"remediation,omitempty"`
	Controls    []Control `json:"controls,omitempty"`
	// File is where the policy is defined (a user policy file, or
	// "bundled:<id>").
	File string `json:"file,omitempty"`
}

// Finding is one thing found.
type Finding struct {
	Type    Type      `json:"type"`
	Object  ObjectRef `json:"object"`
	Message string    `json:"message"`
	// Source is the declaration's file and line, when there is one.
	Source *Source `json:"source,omitempty"`
	// Diff is a unified diff declared -> live (Modified).
	Diff string `json:"diff,omitempty"`
	// Paths are the JSON paths that differ (Modified), e.g.
	// "spec.template.spec.containers[name=web].image".
	Paths []string `json:"paths,omitempty"`
	// Attribution is who last touched the drifted fields (Modified) or the
	// object (Unmanaged).
	Attribution []Attribution `json:"attribution,omitempty"`
	// ChangedBy is the person who made the object's last change, next to
	// the field managers of Attribution, when the audit log names them.
	ChangedBy *ChangedBy `json:"changedBy,omitempty"`
	// Policy is set on Policy findings.
	Policy *PolicyResult `json:"policy,omitempty"`
	// Live says whether the object was evaluated as live state (true) or
	// as declared state (false); policy findings only.
	Live bool `json:"live,omitempty"`
	// Reason says why the finding is excepted (Outcome exception).
	Reason string `json:"reason,omitempty"`
}

// Problem is bad input met on the way that did not stop the run: a
// malformed manifest, a policy that errored. Everything else was still
// audited.
type Problem struct {
	Source  Source `json:"source"`
	Message string `json:"message"`
}

// PolicyStat says how a policy fared over every object it applied to, so a
// report can show passes and not only failures.
type PolicyStat struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Severity  Severity  `json:"severity"`
	Controls  []Control `json:"controls,omitempty"`
	Evaluated int       `json:"evaluated"`
	Failed    int       `json:"failed"`
	// Passed are the objects the policy was evaluated on without a
	// finding, when the evaluation recorded them (PolicyReports show them
	// as pass results).
	Passed []ObjectRef `json:"-"`
	// Excepted counts the objects the policy fired on that are excepted
	// from it (Outcome exception); they are not in Failed.
	Excepted int `json:"excepted,omitempty"`
}

// Report is the result of one audit or policy run.
type Report struct {
	GeneratedAt time.Time `json:"generatedAt"`
	// Cluster is the cluster's name (the kubeconfig context, or
	// --cluster-name); empty when no cluster was involved.
	Cluster string `json:"cluster,omitempty"`
	// Declared is where the declared state came from (dir or URL) and at
	// which revision.
	Declared         string       `json:"declared,omitempty"`
	DeclaredRevision string       `json:"declaredRevision,omitempty"`
	Findings         []Finding    `json:"findings"`
	Problems         []Problem    `json:"problems,omitempty"`
	Policies         []PolicyStat `json:"policies,omitempty"`
	// Summary is the coverage of the drift audit; nil when no declared
	// state was audited.
	Summary *Summary `json:"summary,omitempty"`
	// PolicySet names the policies evaluated, at which version, over
	// which scope; nil when no policy was evaluated.
	PolicySet *PolicySet `json:"policySet,omitempty"`
}

// PolicySet says which policies judged a report, and what they judged.
type PolicySet struct {
	// Name is the set ("clusterscribe-bundled", the user's policy
	// paths, joined with "+").
	Name string `json:"name"`
	// Version identifies the policies' content: a digest of every policy
	// file and of the bundled policies' parameters.
	Version string `json:"version"`
	// Sources are "bundled" and the user's policy paths.
	Sources []string `json:"sources,omitempty"`
	// Scope is what was evaluated: the cluster and namespaces, or the
	// manifests read.
	Scope string `json:"scope,omitempty"`
}

// Counts per finding type and, for policy findings, per severity.
type Counts struct {
	Modified    int              `json:"modified"`
	MissingLive int              `json:"missingLive"`
	Unmanaged   int              `json:"unmanaged"`
	Policy      map[Severity]int `json:"policy,omitempty"`
	// Exceptions counts the policy findings excepted on purpose; they
	// are not in Policy.
	Exceptions int `json:"exceptions,omitempty"`
	Problems   int `json:"problems"`
}

// Count tallies the report.
func (r *Report) Count() Counts {
	c := Counts{Policy: map[Severity]int{}, Problems: len(r.Problems)}
	for _, f := range r.Findings {
		switch f.Type {
		case Modified:
			c.Modified++
		case MissingLive:
			c.MissingLive++
		case Unmanaged:
			c.Unmanaged++
		case Policy:
			if f.Policy.Outcome == Exception {
				c.Exceptions++
				continue
			}
			c.Policy[f.Policy.Severity]++
		}
	}
	return c
}

// HasDrift reports whether any drift finding is present.
func (r *Report) HasDrift() bool {
	c := r.Count()
	return c.Modified+c.MissingLive+c.Unmanaged > 0
}

// HasFailures reports whether any policy failed (outcome fail or error).
func (r *Report) HasFailures() bool {
	for _, f := range r.Findings {
		if f.Type == Policy && f.Policy.Outcome.Failing() {
			return true
		}
	}
	return false
}

// rank orders finding types in a report: drift first, then policies;
// an unknown type ranks first, as a missing map entry did.
func (t Type) rank() int {
	switch t {
	case MissingLive:
		return 1
	case Unmanaged:
		return 2
	case Policy:
		return 3
	}
	return 0
}

// Sort orders findings: by type, then object (namespace, kind, name, API
// version), then policy severity and id — so that every renderer is
// deterministic.
func (r *Report) Sort() {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		if d := a.Type.rank() - b.Type.rank(); d != 0 {
			return d
		}
		if d := a.Object.Compare(b.Object); d != 0 {
			return d
		}
		if a.Policy != nil && b.Policy != nil {
			if d := a.Policy.Severity.Rank() - b.Policy.Severity.Rank(); d != 0 {
				return d
			}
			return strings.Compare(a.Policy.ID, b.Policy.ID)
		}
		return 0
	})
	slices.SortStableFunc(r.Problems, func(a, b Problem) int {
		if d := strings.Compare(a.Source.File, b.Source.File); d != 0 {
			return d
		}
		return a.Source.Line - b.Source.Line
	})
	slices.SortStableFunc(r.Policies, func(a, b PolicyStat) int { return strings.Compare(a.ID, b.ID) })
	if r.Summary != nil {
		r.Summary.Sort()
	}
}
