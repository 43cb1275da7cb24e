package restore

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// TestRestoreBacksOffWhenThrottled restores into cluster B as a user whose
// requests API Priority and Fairness runs one at a time and rejects the
// others at once: a FlowSchema of the user's own sends them to a priority
// level with one concurrency share, nothing to lend or borrow, and no
// queue. The API server answers 429; the restore slows down, and still
// restores every object.
func TestRestoreBacksOffWhenThrottled(t *testing.T) {
	const n = 50
	ns := clusterA.Namespace(t, "throttled")
	cs := clusterA.Clientset(t)
	for i := range n {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%03d", i)}, Data: map[string]string{"i": fmt.Sprint(i)}}
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	id := testkit.AgeIdentity(t)
	repo := t.TempDir()
	recordOnce(t, clusterA, repo, "throttled", id, filters.Options{Namespaces: []string{ns}, IncludeKinds: []string{"ConfigMap", "Namespace"}})
	t.Cleanup(func() {
		_ = clusterB.Clientset(t).CoreV1().Namespaces().Delete(context.WithoutCancel(t.Context()), ns, metav1.DeleteOptions{})
	})

	user := throttledUser(t, clusterB)
	var rejected atomic.Int64
	cfg := rest.CopyConfig(user.Config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return count429{rt, &rejected} })
	logs := &logRecorder{}
	sum, err := Run(t.Context(), cfg, Config{Source: Source{Repo: repo, Ref: "throttled"}, Logger: slog.New(logs)})
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, report(t, sum))
	}
	if got := sum.Count(Created); got != n+1 || len(sum.Results) != n+1 {
		t.Errorf("created %d of %d results, want %d: the namespace and every ConfigMap\n%s", got, len(sum.Results), n+1, report(t, sum))
	}
	list, err := clusterB.Clientset(t).CoreV1().ConfigMaps(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != n {
		t.Errorf("cluster B holds %d ConfigMaps in %s, want %d", len(list.Items), ns, n)
	}
	if rejected.Load() == 0 {
		t.Fatal("the API server answered no request with 429: the FlowSchema did not throttle the restore")
	}
	slowed := logs.with("the API server throttles requests: slowing down")
	if len(slowed) == 0 {
		t.Fatalf("%d responses were 429 but the limiter never slowed down", rejected.Load())
	}
	if qps, _ := slowed[0]["qps"].(float64); qps >= kube.DefaultAdaptiveQPS {
		t.Errorf("after a 429 the limit is %v QPS, want less than the cap %v", qps, kube.DefaultAdaptiveQPS)
	}
	done := logs.with("the API server throttled the restore")
	if len(done) != 1 || done[0]["responses429"] != rejected.Load() {
		t.Errorf("the restore reports %v, want responses429=%d", done, rejected.Load())
	}
	t.Logf("%d responses were 429; the limiter slowed down %d times", rejected.Load(), len(slowed))
}

// throttledUser is a cluster-admin user whose requests go to a priority
// level that runs one at a time and rejects the rest (no queue).
func throttledUser(t *testing.T, c *testcluster.Cluster) *testcluster.User {
	t.Helper()
	u, err := c.AddUser("throttled-restore")
	if err != nil {
		t.Fatal(err)
	}
	cs := c.Clientset(t)
	ctx := t.Context()
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: u.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: u.Name}},
	}
	pl := &flowcontrolv1.PriorityLevelConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: u.Name},
		Spec: flowcontrolv1.PriorityLevelConfigurationSpec{
			Type: flowcontrolv1.PriorityLevelEnablementLimited,
			Limited: &flowcontrolv1.LimitedPriorityLevelConfiguration{
				NominalConcurrencyShares: ptr.To[int32](1),
				LendablePercent:          ptr.To[int32](0),
				BorrowingLimitPercent:    ptr.To[int32](0),
				LimitResponse:            flowcontrolv1.LimitResponse{Type: flowcontrolv1.LimitResponseTypeReject},
			},
		},
	}
	fs := &flowcontrolv1.FlowSchema{
		ObjectMeta: metav1.ObjectMeta{Name: u.Name},
		Spec: flowcontrolv1.FlowSchemaSpec{
			PriorityLevelConfiguration: flowcontrolv1.PriorityLevelConfigurationReference{Name: pl.Name},
			MatchingPrecedence:         500,
			Rules: []flowcontrolv1.PolicyRulesWithSubjects{{
				Subjects: []flowcontrolv1.Subject{{Kind: flowcontrolv1.SubjectKindUser, User: &flowcontrolv1.UserSubject{Name: u.Name}}},
				ResourceRules: []flowcontrolv1.ResourcePolicyRule{{
					Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"},
					ClusterScope: true, Namespaces: []string{"*"},
				}},
				NonResourceRules: []flowcontrolv1.NonResourcePolicyRule{{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}},
			}},
		},
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.FlowcontrolV1().PriorityLevelConfigurations().Create(ctx, pl, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	fs, err = cs.FlowcontrolV1().FlowSchemas().Create(ctx, fs, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(t.Context())
		_ = cs.FlowcontrolV1().FlowSchemas().Delete(ctx, fs.Name, metav1.DeleteOptions{})
		_ = cs.FlowcontrolV1().PriorityLevelConfigurations().Delete(ctx, pl.Name, metav1.DeleteOptions{})
		_ = cs.RbacV1().ClusterRoleBindings().Delete(ctx, crb.Name, metav1.DeleteOptions{})
	})
	waitForFlowSchema(t, u, fs)
	return u
}

// waitForFlowSchema waits until the API server classifies u's requests
// with fs (it reads FlowSchemas a moment after they are created).
func waitForFlowSchema(t *testing.T, u *testcluster.User, fs *flowcontrolv1.FlowSchema) {
	t.Helper()
	hc, err := rest.HTTPClientFor(u.Config)
	if err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.Config.Host+"/version", nil)
		if err != nil {
			return false, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return false, nil //nolint:nilerr // not answering yet: keep waiting
		}
		_ = resp.Body.Close()
		return resp.Header.Get(flowcontrolv1.ResponseHeaderMatchedFlowSchemaUID) == string(fs.UID), nil
	})
	if err != nil {
		t.Fatalf("the API server does not apply FlowSchema %s: %v", fs.Name, err)
	}
}

// count429 counts the responses that are 429 Too Many Requests.
type count429 struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c count429) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.n.Add(1)
	}
	return resp, err
}

// logRecorder is a slog.Handler that keeps every record's message and
// attributes.
type logRecorder struct {
	mu      sync.Mutex
	records []logRecord
}

type logRecord struct {
	msg   string
	attrs map[string]any
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]any{}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Resolve().Any()
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, logRecord{r.Message, attrs})
	return nil
}

// with returns the attributes of the records with message msg.
func (l *logRecorder) with(msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, r := range l.records {
		if r.msg == msg {
			out = append(out, r.attrs)
		}
	}
	return slices.Clip(out)
}
