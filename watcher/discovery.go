package watcher

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// Discover lists every resource the server serves at its preferred version
// that supports both list and watch, without subresources. A group whose
// discovery fails (an aggregated API that is down) is logged and left out;
// the rest is returned.
func Discover(dc discovery.DiscoveryInterface, log *slog.Logger) ([]Resource, error) {
	lists, err := dc.ServerPreferredResources()
	if err != nil {
		var groupErr *discovery.ErrGroupDiscoveryFailed
		if !errors.As(err, &groupErr) || len(lists) == 0 {
			return nil, fmt.Errorf("discover api resources: %w", err)
		}
		for gv, gerr := range groupErr.Groups {
			log.Warn("api group not discovered, left out", "groupVersion", gv.String(), "error", gerr)
		}
	}
	var out []Resource
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, fmt.Errorf("discover api resources: parse %q: %w", list.GroupVersion, err)
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			if !slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "watch") {
				continue
			}
			out = append(out, Resource{
				GVR:        gv.WithResource(r.Name),
				Kind:       r.Kind,
				Namespaced: r.Namespaced,
			})
		}
	}
	slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}
