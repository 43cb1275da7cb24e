package findings

import (
	"slices"
	"strings"
)

// Verdict is what an audit concluded about one declared object.
type Verdict int

// Verdicts.
const (
	// InSync: compared with its live counterpart, no drift.
	InSync Verdict = iota
	// Drifted: a Modified or MissingLive finding names it.
	Drifted
	// Skipped: not compared, for a reason (see SkippedObject).
	Skipped
)

// Summary is the coverage of an audit: what was checked, not only what
// failed. Every declared object in scope counts once, as in sync, drifted
// or skipped.
type Summary struct {
	VerdictCounts
	// Kinds and Namespaces break the counts down by kind ("Deployment.apps")
	// and by namespace ("" for cluster-scoped objects).
	Kinds      []Tally `json:"kinds"`
	Namespaces []Tally `json:"namespaces"`
	// SkippedObjects say why each skipped object was not compared.
	SkippedObjects []SkippedObject `json:"skippedObjects,omitempty"`
	// InSyncObjects are the objects compared and found in sync.
	InSyncObjects []ObjectRef `json:"inSyncObjects,omitempty"`

	index map[string]int // of Kinds and Namespaces, while adding
}

// VerdictCounts are declared objects counted by what the audit concluded
// about them.
type VerdictCounts struct {
	Declared int `json:"declared"`
	// Compared are the declared objects found live and compared field by
	// field (in sync, or drifted with a Modified finding).
	Compared int `json:"compared"`
	InSync   int `json:"inSync"`
	Drifted  int `json:"drifted"`
	Skipped  int `json:"skipped"`
}

// add counts one declared object.
func (c *VerdictCounts) add(v Verdict, compared bool) {
	c.Declared++
	if compared {
		c.Compared++
	}
	switch v {
	case InSync:
		c.InSync++
	case Drifted:
		c.Drifted++
	case Skipped:
		c.Skipped++
	}
}

// Tally is the counts of one kind or namespace.
type Tally struct {
	Name string `json:"name"`
	VerdictCounts
}

// SkippedObject is a declared object that was not compared, and why.
type SkippedObject struct {
	Object ObjectRef `json:"object"`
	Source *Source   `json:"source,omitempty"`
	Reason string    `json:"reason"`
}

// Add counts one declared object; compared says whether it was compared
// with a live counterpart, reason why it was skipped.
func (s *Summary) Add(obj ObjectRef, src *Source, v Verdict, compared bool, reason string) {
	if s.index == nil {
		s.index = map[string]int{}
	}
	s.add(v, compared) // the summary's own counts
	s.tally(&s.Kinds, "kind/", obj.KindGroup()).add(v, compared)
	s.tally(&s.Namespaces, "ns/", obj.Namespace).add(v, compared)
	switch v {
	case InSync:
		s.InSyncObjects = append(s.InSyncObjects, obj)
	case Skipped:
		s.SkippedObjects = append(s.SkippedObjects, SkippedObject{Object: obj, Source: src, Reason: reason})
	}
}

// tally returns the tally of name in ts, added when new.
func (s *Summary) tally(ts *[]Tally, prefix, name string) *Tally {
	i, ok := s.index[prefix+name]
	if !ok {
		i = len(*ts)
		s.index[prefix+name] = i
		*ts = append(*ts, Tally{Name: name})
	}
	return &(*ts)[i]
}

// Sort orders the summary's lists, so that every renderer is
// deterministic.
func (s *Summary) Sort() {
	s.index = nil
	byName := func(a, b Tally) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(s.Kinds, byName)
	slices.SortFunc(s.Namespaces, byName)
	slices.SortStableFunc(s.InSyncObjects, ObjectRef.Compare)
	slices.SortStableFunc(s.SkippedObjects, func(a, b SkippedObject) int { return a.Object.Compare(b.Object) })
}
