package main

import "slices"

// sizeRun is what a full run measures at one cluster size. The run at
// 10,000 objects (or fewer) is the main one; a run at more objects is
// kept next to it (results.Large), so that BENCHMARKS.md shows both sizes
// side by side with the growth per object between them.
type sizeRun struct {
	// Objects is the size this run seeded (Large only: the main run's is
	// results.Objects).
	Objects   int           `json:"seededObjects,omitempty"`
	Snapshots []snapshot    `json:"initialSnapshot"`
	Start     apiLoad       `json:"apiLoadAtStart"`
	Git       gitGrowth     `json:"git"`
	Churn     []churnResult `json:"churn"`
	// Restore is a restore into an empty control plane (a full run, or
	// -only restore).
	Restore *restoreResult `json:"restore,omitempty"`
}

// at is the run at n objects: the main one up to auditRowObjects, Large
// above (a new one unless Large is of the same size).
func (r *results) at(n int) *sizeRun {
	if n <= auditRowObjects {
		return &r.sizeRun
	}
	if r.Large == nil || r.Large.Objects != n {
		r.Large = &sizeRun{Objects: n}
	}
	return r.Large
}

// sized is a run with the number of objects it seeded.
type sized struct {
	*sizeRun
	objects int
}

// sizes lists the runs measured, smallest first.
func (r *results) sizes() []sized {
	out := []sized{{&r.sizeRun, r.Objects}}
	if r.Large != nil {
		out = append(out, sized{r.Large, r.Large.Objects})
	}
	return slices.DeleteFunc(out, func(s sized) bool { return s.objects == 0 })
}

// carryOver is what a full run at n objects keeps of the earlier results:
// every size measured by another run.
func (r *results) carryOver(old *results, n int) {
	r.Scale, r.Micro = old.Scale, old.Micro // -micro=false keeps the last ones
	if n > auditRowObjects {
		// The 10,000-object run and what -only modes measured stay.
		r.Objects, r.sizeRun, r.Audit = old.Objects, old.sizeRun, old.Audit
		r.Webhook = old.Webhook
		return
	}
	r.Large, r.AuditLarge = old.Large, old.AuditLarge
}
