package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// auditPolicy logs every request once it is answered (watches also when
// they start), with who asked, the verb, the object and the answer's code;
// no bodies, so the log holds no Secret value.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
`

// auditedCluster is a control plane of its own whose API server writes an
// audit log: the record of every request, by user.
type auditedCluster struct {
	*testcluster.Cluster
	logPath string
}

func startAuditedCluster(t *testing.T) *auditedCluster {
	t.Helper()
	dir := t.TempDir()
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "audit.log")
	c := testcluster.New(t, testcluster.Options{APIServerArgs: map[string]string{
		"audit-policy-file": policy,
		"audit-log-path":    logPath,
		"audit-log-mode":    "blocking", // an event is in the file before its request is answered
	}})
	return &auditedCluster{Cluster: c, logPath: logPath}
}

// apiEvent is what the test reads of an audit.k8s.io/v1 Event.
type apiEvent struct {
	Stage      string `json:"stage"`
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		APIGroup    string `json:"apiGroup"`
		Resource    string `json:"resource"`
		Subresource string `json:"subresource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
}

func (e apiEvent) String() string {
	what := e.RequestURI
	if r := e.ObjectRef; r != nil {
		what = r.Resource
		if r.APIGroup != "" {
			what += "." + r.APIGroup
		}
		if r.Subresource != "" {
			what += "/" + r.Subresource
		}
		if r.Namespace != "" {
			what += " " + r.Namespace + "/" + r.Name
		} else if r.Name != "" {
			what += " " + r.Name
		}
	}
	code := 0
	if e.ResponseStatus != nil {
		code = e.ResponseStatus.Code
	}
	return fmt.Sprintf("%s %s (%d, %s)", e.Verb, what, code, e.RequestURI)
}

func (e apiEvent) code() int {
	if e.ResponseStatus == nil {
		return 0
	}
	return e.ResponseStatus.Code
}

// events reads the audit log, by user name.
func (c *auditedCluster) events(t *testing.T) map[string][]apiEvent {
	t.Helper()
	f, err := os.Open(c.logPath)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	defer func() { _ = f.Close() }()
	byUser := map[string][]apiEvent{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e apiEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit log line %q: %v", sc.Text(), err)
		}
		byUser[e.User.Username] = append(byUser[e.User.Username], e)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("audit log: %v", err)
	}
	return byUser
}

// readVerbs are the only verbs clusterscribe uses unless a write is asked
// for.
var readVerbs = []string{"get", "list", "watch"}

// writes are the events that are not reads, less those allowed.
func writes(events []apiEvent, allowed func(apiEvent) bool) []apiEvent {
	var out []apiEvent
	for _, e := range events {
		if !slices.Contains(readVerbs, e.Verb) && (allowed == nil || !allowed(e)) {
			out = append(out, e)
		}
	}
	return out
}

// leaseWrite allows the leader election's requests on its own Lease: get,
// create and update of coordination.k8s.io leases/<name> in namespace ns.
func leaseWrite(ns, name string) func(apiEvent) bool {
	return func(e apiEvent) bool {
		r := e.ObjectRef
		return r != nil && r.APIGroup == "coordination.k8s.io" && r.Resource == "leases" && r.Subresource == "" &&
			r.Namespace == ns && (r.Name == name || (e.Verb == "create" && r.Name == "")) &&
			slices.Contains([]string{"create", "update"}, e.Verb)
	}
}

func describe(events []apiEvent) string {
	lines := make([]string, len(events))
	for i, e := range events {
		lines[i] = "  " + e.String()
	}
	return strings.Join(lines, "\n")
}
