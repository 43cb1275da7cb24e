package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/client-go/kubernetes"
)

// requestKey is one series of apiserver_request_total, reduced to what the
// report shows.
type requestKey struct {
	Verb, Resource string
}

func (k requestKey) String() string { return k.Verb + " " + k.Resource }

// apiCounts are request counts by verb and resource.
type apiCounts map[requestKey]float64

// scrapeRequests reads the API server's apiserver_request_total (finished
// requests) and apiserver_longrunning_requests (open watches).
func scrapeRequests(ctx context.Context, cs kubernetes.Interface) (total, open apiCounts, err error) {
	raw, err := cs.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("scrape /metrics: %w", err)
	}
	total, open = apiCounts{}, apiCounts{}
	for line := range strings.SplitSeq(string(raw), "\n") {
		var into apiCounts
		switch {
		case strings.HasPrefix(line, "apiserver_request_total{"):
			into = total
		case strings.HasPrefix(line, "apiserver_longrunning_requests{"):
			into = open
		default:
			continue
		}
		end := strings.LastIndexByte(line, '}')
		if end < 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64)
		if err != nil {
			continue
		}
		labels := parseLabels(line[strings.IndexByte(line, '{')+1 : end])
		if labels["resource"] == "" {
			continue // non-resource requests (/metrics, discovery)
		}
		res := labels["resource"]
		if labels["group"] != "" {
			res += "." + labels["group"]
		}
		if labels["subresource"] != "" {
			res += "/" + labels["subresource"]
		}
		into[requestKey{Verb: labels["verb"], Resource: res}] += v
	}
	return total, open, nil
}

func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq < 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			break
		}
		key := s[:eq]
		rest := s[eq+2:]
		end := strings.IndexByte(rest, '"')
		if end < 0 {
			break
		}
		out[key] = rest[:end]
		s = strings.TrimPrefix(rest[end+1:], ",")
	}
	return out
}

// minus returns a - b, without zero entries.
func (a apiCounts) minus(b apiCounts) apiCounts {
	out := apiCounts{}
	for k, v := range a {
		if d := v - b[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// only keeps the given verbs.
func (a apiCounts) only(verbs ...string) apiCounts {
	out := apiCounts{}
	for k, v := range a {
		if slices.Contains(verbs, k.Verb) {
			out[k] = v
		}
	}
	return out
}

func (a apiCounts) byVerb() map[string]float64 {
	out := map[string]float64{}
	for k, v := range a {
		out[k.Verb] += v
	}
	return out
}

// perResource is the JSON form: "LIST configmaps" -> count.
func (a apiCounts) perResource() map[string]float64 {
	out := map[string]float64{}
	for k, v := range a {
		out[k.String()] = v
	}
	return out
}
