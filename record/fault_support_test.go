package record_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// apiServerDown takes the package's kube-apiserver down with down
// (KillAPIServer or StopAPIServer) and makes sure it runs again when the
// test ends, whatever happened meanwhile: the tests after it share it.
func apiServerDown(t *testing.T, down func() error) {
	t.Helper()
	t.Cleanup(func() {
		if err := cluster.EnsureAPIServer(); err != nil {
			t.Errorf("start the package's kube-apiserver again: %v", err)
		}
	})
	if err := down(); err != nil {
		t.Fatal(err)
	}
}

// startPeer starts a second kube-apiserver over the package's etcd (see
// testcluster.StartPeerAPIServer), killed when the test ends.
func startPeer(t *testing.T, args map[string]string) *testcluster.PeerAPIServer {
	t.Helper()
	peer, err := cluster.StartPeerAPIServer(args)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := peer.Kill(); err != nil {
			t.Errorf("kill the peer kube-apiserver: %v", err)
		}
	})
	return peer
}

// clientsetFor is a typed client for restCfg with generous client-side
// limits.
func clientsetFor(t *testing.T, restCfg *rest.Config) kubernetes.Interface {
	t.Helper()
	cfg := rest.CopyConfig(restCfg)
	cfg.QPS, cfg.Burst = 1000, 2000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	return cs
}

// apiTraffic sits in a client's transport: it counts the initial lists
// per resource (a LIST, or a WATCH that sends initial events) and the
// watches that ended with 410 Gone (resource version too old), and it can
// cut the client off the API server, as a network partition would.
type apiTraffic struct {
	mu          sync.Mutex
	lists       map[string]int // by resource (last path segment)
	expired     int
	partitioned bool
	open        map[*watchBody]bool
}

// wrap instruments restCfg's transport; it returns a copy.
func (a *apiTraffic) wrap(restCfg *rest.Config) *rest.Config {
	cfg := rest.CopyConfig(restCfg)
	a.lists, a.open = map[string]int{}, map[*watchBody]bool{}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &trafficRT{next: rt, a: a} })
	return cfg
}

func (a *apiTraffic) listsOf(resource string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lists[resource]
}

func (a *apiTraffic) expiredWatches() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.expired
}

// partition refuses every new request (connection refused) and ends the
// open watches as if the server had closed them: clients resume them from
// their last resource version once heal is called.
func (a *apiTraffic) partition() {
	a.mu.Lock()
	a.partitioned = true
	open := a.open
	a.open = map[*watchBody]bool{}
	a.mu.Unlock()
	for b := range open {
		b.cut()
	}
}

func (a *apiTraffic) heal() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.partitioned = false
}

type trafficRT struct {
	next http.RoundTripper
	a    *apiTraffic
}

func (t *trafficRT) RoundTrip(req *http.Request) (*http.Response, error) {
	a := t.a
	q := req.URL.Query()
	watching := q.Get("watch") == "true" || q.Get("watch") == "1"
	a.mu.Lock()
	if a.partitioned {
		a.mu.Unlock()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	if req.Method == http.MethodGet && (!watching || q.Get("sendInitialEvents") == "true") {
		a.lists[req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]]++
	}
	a.mu.Unlock()
	resp, err := t.next.RoundTrip(req)
	if err != nil || !watching {
		return resp, err
	}
	if resp.StatusCode == http.StatusGone {
		a.mu.Lock()
		a.expired++
		a.mu.Unlock()
		return resp, nil
	}
	b := &watchBody{body: resp.Body, a: a}
	a.mu.Lock()
	a.open[b] = true
	a.mu.Unlock()
	resp.Body = b
	return resp, nil
}

// watchBody is a watch stream: it counts a 410 status event in it, and
// reads as a clean end of stream once cut.
type watchBody struct {
	body io.ReadCloser
	a    *apiTraffic
	tail []byte // the end of the previous read, for a mark split in two
	seen bool

	mu     sync.Mutex
	isCut  bool
	closed bool
}

var goneMark = []byte(`"code":410`)

func (b *watchBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.mu.Lock()
	isCut := b.isCut
	b.mu.Unlock()
	if isCut {
		return 0, io.EOF
	}
	if n > 0 && !b.seen {
		buf := append(b.tail, p[:n]...)
		if bytes.Contains(buf, goneMark) {
			b.seen = true
			b.a.mu.Lock()
			b.a.expired++
			b.a.mu.Unlock()
		}
		b.tail = append([]byte(nil), buf[max(0, len(buf)-len(goneMark)):]...)
	}
	return n, err
}

func (b *watchBody) Close() error {
	b.a.mu.Lock()
	delete(b.a.open, b)
	b.a.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	return b.body.Close()
}

// cut ends the stream: a blocked Read returns, and every Read from now on
// reports a clean end.
func (b *watchBody) cut() {
	b.mu.Lock()
	b.isCut = true
	closed := b.closed
	b.closed = true
	b.mu.Unlock()
	if !closed {
		_ = b.body.Close()
	}
}

// faultScene is the set-up of a drill: a namespace holding ConfigMaps, a
// Secret, a Deployment and the churning workload, recorded by a running
// recorder whose backup already equals the cluster.
type faultScene struct {
	ns    string
	cs    kubernetes.Interface
	work  *churn
	repo  string
	rec   *recording
	check treecheck.Options
}

// changeConfigMaps makes the changes a drill looks for, named after
// when: ConfigMap born-<when> is created, changed-<when> set to 2 and
// deleted-<when> deleted.
func changeConfigMaps(t *testing.T, cs kubernetes.Interface, ns, when string) {
	t.Helper()
	setValue(t, cs, ns, "born-"+when, 1)
	setValue(t, cs, ns, "changed-"+when, 2)
	deleteConfigMap(t, cs, ns, "deleted-"+when)
}

// changeWorkload changes the scene's Secret "creds" and replaces its
// Deployment "web" with one named "api".
func changeWorkload(t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	setSecret(t, cs, ns, "creds", "two")
	if err := cs.AppsV1().Deployments(ns).Delete(t.Context(), "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	testcluster.CreateDeployment(t, cs, ns, "api")
}

// churningNamespace is a drill's namespace, named after prefix, with one
// ConfigMap per name (value 1) and the workload churning in it.
func churningNamespace(t *testing.T, prefix string, configMaps ...string) (string, kubernetes.Interface, *churn) {
	t.Helper()
	ns, cs := cluster.Namespace(t, prefix), clientset(t)
	for _, name := range configMaps {
		setValue(t, cs, ns, name, 1)
	}
	return ns, cs, startChurn(t, cs, ns)
}

// startFaultScene sets up a drill in a churning namespace (see
// churningNamespace) that also holds a Secret "creds" and a Deployment
// "web", and starts recording it.
func startFaultScene(t *testing.T, prefix string, configMaps ...string) faultScene {
	t.Helper()
	var sc faultScene
	sc.ns, sc.cs, sc.work = churningNamespace(t, prefix, configMaps...)
	setSecret(t, sc.cs, sc.ns, "creds", "one")
	testcluster.CreateDeployment(t, sc.cs, sc.ns, "web")

	sc.repo = filepath.Join(t.TempDir(), "backup")
	cfg, logs := newConfig(sc.ns, sc.repo, withChurn(faultKinds...)...)
	sc.rec = startRecordOn(t, cluster.Config, cfg, logs)
	sc.rec.waitSynced(t)
	sc.check = treecheck.Options{Record: cfg}
	treecheck.Await(t, cluster.Config, sc.check, patience, sc.rec.Alive)
	return sc
}
