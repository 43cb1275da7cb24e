package restore

import (
	"encoding/json"
	"time"
)

// Action is what a restore did (or, in a dry run, would do) with one object.
type Action string

// Actions, in the order reports list them.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
	Skipped   Action = "skipped"
	Failed    Action = "failed"
	// Planned is a client-side dry run's action: the object would be
	// applied; the cluster was not asked whether it exists.
	Planned Action = "planned"
)

// Actions lists every Action in report order.
func Actions() []Action { return []Action{Created, Updated, Unchanged, Planned, Skipped, Failed} }

// Reasons a Result is Skipped.
const (
	// ReasonExists: the object exists and Existing is skip.
	ReasonExists = "exists"
	// ReasonRedacted: the Secret's values were redacted when recorded.
	ReasonRedacted = "redacted"
	// ReasonControlPlane: the API server makes and keeps this object itself.
	ReasonControlPlane = "control plane"
	// ReasonNotObject: the file is not where the backup layout puts objects.
	ReasonNotObject = "not an object file"
)

// Object names one object of the backup.
type Object struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// KindGroup renders "Kind.group", or "Kind" for the core group.
func (o Object) KindGroup() string {
	if o.Group == "" {
		return o.Kind
	}
	return o.Kind + "." + o.Group
}

// String renders "Kind.group namespace/name".
func (o Object) String() string {
	if o.Kind == "" {
		return ""
	}
	return o.KindGroup() + " " + o.NamespacedName()
}

// NamespacedName renders "namespace/name", or "name" when cluster-scoped.
func (o Object) NamespacedName() string {
	if o.Namespace == "" {
		return o.Name
	}
	return o.Namespace + "/" + o.Name
}

// Result is what happened to one file of the backup.
type Result struct {
	// Path is the file in the backup branch.
	Path string
	// Object is zero when the file could not be read.
	Object Object
	Action Action
	// Reason says why a Result is Skipped, or adds a note to another action
	// (e.g. which ownerReferences were dropped).
	Reason string
	// Err is set when Action is Failed. It never holds a Secret's value.
	Err error
}

// MarshalJSON renders Err as its message.
func (r Result) MarshalJSON() ([]byte, error) {
	out := struct {
		Path   string `json:"path"`
		Object Object `json:"object"`
		Action Action `json:"action"`
		Reason string `json:"reason,omitempty"`
		Error  string `json:"error,omitempty"`
	}{Path: r.Path, Object: r.Object, Action: r.Action, Reason: r.Reason}
	if r.Err != nil {
		out.Error = r.Err.Error()
	}
	return json.Marshal(out)
}

// Summary is the outcome of one restore.
type Summary struct {
	Commit  string    `json:"commit"`
	Cluster string    `json:"cluster"`
	DryRun  DryRun    `json:"dryRun,omitempty"`
	Started time.Time `json:"started"`
	// Results has one entry per file in scope, in the order they were
	// applied; files that could not be read come first.
	Results []Result `json:"results"`
}

// Count returns how many results have action a.
func (s *Summary) Count(a Action) int {
	n := 0
	for _, r := range s.Results {
		if r.Action == a {
			n++
		}
	}
	return n
}

// With returns the results with action a, in order.
func (s *Summary) With(a Action) []Result {
	var out []Result
	for _, r := range s.Results {
		if r.Action == a {
			out = append(out, r)
		}
	}
	return out
}

// Redacted returns the Secrets skipped because their values were redacted.
func (s *Summary) Redacted() []Result {
	var out []Result
	for _, r := range s.Results {
		if r.Action == Skipped && r.Reason == ReasonRedacted {
			out = append(out, r)
		}
	}
	return out
}
