package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// recordUser is the identity clusterscribe runs as in the benchmark: the
// API server's audit log names it, so its requests are told apart from
// the load generator's and the API server's own.
const recordUser = "clusterscribe-bench"

// auditPolicy logs the metadata of clusterscribe's requests only.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    users: ["` + recordUser + `"]
  - level: None
`

// auditLog reads the API server's audit log from where the last read
// stopped.
type auditLog struct {
	path   string
	offset int64
}

type auditEvent struct {
	Stage string `json:"stage"`
	Verb  string `json:"verb"`
	User  struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Subresource string `json:"subresource"`
		APIGroup    string `json:"apiGroup"`
	} `json:"objectRef"`
}

// mark skips everything logged so far.
func (a *auditLog) mark() error {
	fi, err := os.Stat(a.path)
	if os.IsNotExist(err) {
		a.offset = 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	a.offset = fi.Size()
	return nil
}

// since counts clusterscribe's requests logged since the last mark, by
// verb and resource: a watch when it starts, anything else when it ends.
func (a *auditLog) since() (apiCounts, error) {
	f, err := os.Open(a.path)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.Seek(a.offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	out := apiCounts{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev auditEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.User.Username != recordUser {
			continue
		}
		if ev.Verb == "watch" && ev.Stage != "ResponseStarted" || ev.Verb != "watch" && ev.Stage != "ResponseComplete" {
			continue
		}
		res := "(discovery and other non-resource paths)"
		if r := ev.ObjectRef; r != nil && r.Resource != "" {
			res = r.Resource
			if r.APIGroup != "" {
				res += "." + r.APIGroup
			}
			if r.Subresource != "" {
				res += "/" + r.Subresource
			}
		}
		out[requestKey{Verb: ev.Verb, Resource: res}]++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}
