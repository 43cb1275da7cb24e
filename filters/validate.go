package filters

import (
	"errors"
	"slices"
	"strings"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// Validate checks the kind patterns against the resources the cluster
// serves. It returns one error naming every pattern of IncludeKinds or
// ExcludeKinds that matches no served resource ([ErrUnknownKind]; "*.group"
// needs at least one kind of that group), and every IncludeKinds pattern
// whose matches are all excluded anyway, by ExcludeKinds or a default
// exclusion ([ErrExcludedKind], with the --include-excluded value that would
// keep them).
func (f *Filter) Validate(served []watcher.Resource) error {
	var errs []error
	for _, p := range f.include {
		matched, wanted := false, false
		var reasons []string
		for _, r := range served {
			if !p.matches(r) {
				continue
			}
			matched = true
			reason := f.resourceReason(r)
			if reason == "" {
				wanted = true
				break
			}
			if !slices.Contains(reasons, reason) {
				reasons = append(reasons, reason)
			}
		}
		switch {
		case !matched:
			errs = append(errs, &FlagError{Flag: flagIncludeKinds, Value: p.raw, Err: ErrUnknownKind})
		case !wanted:
			errs = append(errs, &FlagError{
				Flag: flagIncludeKinds, Value: p.raw, Err: ErrExcludedKind,
				Detail: excludedDetail(reasons),
			})
		}
	}
	for _, p := range f.exclude {
		if !matchesAnyResource(p, served) {
			errs = append(errs, &FlagError{Flag: flagExcludeKinds, Value: p.raw, Err: ErrUnknownKind})
		}
	}
	return errors.Join(errs...)
}

func matchesAnyResource(p kindPattern, served []watcher.Resource) bool {
	for _, r := range served {
		if p.matches(r) {
			return true
		}
	}
	return false
}

// excludedDetail explains which rules drop the kinds of an include pattern.
func excludedDetail(reasons []string) error {
	var by, keep []string
	for _, r := range reasons {
		if r == ReasonKind {
			by = append(by, "--"+flagExcludeKinds)
			continue
		}
		by = append(by, "default exclusion "+r)
		keep = append(keep, r)
	}
	msg := "dropped by " + strings.Join(by, " and ")
	if len(keep) > 0 {
		msg += "; keep with --" + flagIncludeExcluded + "=" + strings.Join(keep, ",")
	}
	return errors.New(msg)
}
