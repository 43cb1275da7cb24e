package restore

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/clusterscribe/clusterscribe/internal/applyorder"
)

// crdPoll is how often CRDs are looked at while waiting for them.
const crdPoll = 200 * time.Millisecond

// appliedCRD is a CRD this restore created or updated.
type appliedCRD struct {
	result int // index in the results
	name   string
	kind   schema.GroupKind
}

func isCRD(gk schema.GroupKind) bool { return gk == applyorder.CRD }

// settleCRDs waits, after the CRD phase, until every CRD this restore
// created or updated is Established and its kind is served, within
// CRDTimeout in all. A CRD that does not get there becomes a failure; its
// custom resources then fail on their own. In a dry run nothing was
// created, so there is nothing to wait for.
func (r *restorer) settleCRDs(ctx context.Context, crds []appliedCRD, results []Result) {
	if r.cfg.DryRun != "" || len(crds) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.CRDTimeout)
	defer cancel()
	var kinds []schema.GroupKind
	for _, c := range crds {
		err := wait.PollUntilContextCancel(ctx, crdPoll, true, func(ctx context.Context) (bool, error) {
			ok, err := r.t.crdEstablished(ctx, c.name)
			if err != nil {
				r.log.Debug("reading CRD", "name", c.name, "error", err)
			}
			return ok, nil
		})
		if err != nil {
			res := &results[c.result]
			res.Action = Failed
			res.Err = &ObjectError{Path: res.Path, Object: res.Object.String(), Err: fmt.Errorf("%w (%s)", errNotEstablished, r.cfg.CRDTimeout)}
			r.logResult(*res)
			continue
		}
		kinds = append(kinds, c.kind)
	}
	// Discovery serves a new kind a moment after its CRD is Established.
	_ = wait.PollUntilContextCancel(ctx, crdPoll, true, func(context.Context) (bool, error) {
		r.t.resetMapping()
		for _, gk := range kinds {
			if _, err := r.t.mapper.RESTMapping(gk); err != nil {
				return false, nil
			}
		}
		return true, nil
	})
}
