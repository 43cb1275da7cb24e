package record_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// floodBody is an EventList of n writes by people, as kube-apiserver
// sends it in batch mode.
func floodBody(t *testing.T, n, seq int) []byte {
	t.Helper()
	items := make([]map[string]any, n)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for i := range items {
		items[i] = map[string]any{
			"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "stage": "ResponseComplete",
			"verb": "patch", "user": map[string]any{"username": fmt.Sprint("user-", i%13), "groups": []string{"devs"}},
			"userAgent":      "kubectl/v1.36.3",
			"objectRef":      map[string]any{"resource": "deployments", "apiGroup": "apps", "namespace": "elsewhere", "name": fmt.Sprintf("web-%d-%d", seq, i)},
			"responseStatus": map[string]any{"code": 200}, "stageTimestamp": now,
		}
	}
	b, err := json.Marshal(map[string]any{"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var listening = regexp.MustCompile(`"msg":"audit webhook receiver listening","address":"([^"]+)"`)

// TestRecordsUnderAuditFlood floods the recorder's audit webhook receiver
// with 10,000 events a second while objects change: every change is
// recorded, the receiver answers every request and keeps no more events
// than its cap, and counts the ones it let go.
func TestRecordsUnderAuditFlood(t *testing.T) {
	ns := cluster.Namespace(t, "flood")
	repo := filepath.Join(t.TempDir(), "backup")
	token := "flood-token-0123456789"
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, logs := newConfig(ns, repo, "configmaps")
	cfg.AuditWebhook = auditwebhook.Options{Addr: "127.0.0.1:0", TokenFile: tokenFile}
	r := startRecord(t, cfg, logs)
	r.waitSynced(t)
	m := listening.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no listening address logged:\n%s", logs)
	}
	base := "http://" + m[1]

	const (
		perSecond = 10000
		seconds   = 3
		batch     = 100
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	wg.Go(func() {
		tick := time.NewTicker(time.Second / (perSecond / batch))
		defer tick.Stop()
		bodies := [][]byte{floodBody(t, batch, 0), floodBody(t, batch, 1), floodBody(t, batch, 2)}
		for i := range perSecond * seconds / batch {
			<-tick.C
			req, _ := http.NewRequest(http.MethodPost, base+auditwebhook.Path, bytes.NewReader(bodies[i%len(bodies)]))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			code := -1
			if err == nil {
				code = resp.StatusCode
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}
		close(stop)
	})

	// Meanwhile, objects change.
	cs := clientset(t)
	var want []string
	for i := 0; ; i++ {
		name := fmt.Sprint("cm-", i)
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"i": fmt.Sprint(i)}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "test/namespaces/"+ns+"/core/configmaps/"+name+".yaml")
		select {
		case <-stop:
		case <-time.After(20 * time.Millisecond):
			continue
		}
		break
	}
	wg.Wait()
	if len(codes) != 1 || codes[http.StatusOK] != perSecond*seconds/batch {
		t.Errorf("answers to the flood, by status: %v", codes)
	}
	eventually(t, r, "every ConfigMap recorded", func() (bool, string) {
		got, err := filesTry(repo)
		if err != nil {
			return false, err.Error()
		}
		var missing []string
		for _, w := range want {
			if !slices.Contains(got, w) {
				missing = append(missing, w)
			}
		}
		return len(missing) == 0, fmt.Sprintf("%d of %d missing, e.g. %v", len(missing), len(want), missing[:min(3, len(missing))])
	})
	total := float64(perSecond * seconds)
	var indexed, dropped float64
	eventually(t, r, "every flooded event indexed or counted as dropped", func() (bool, string) {
		metrics := scrape(t, base+"/metrics")
		indexed = metricValue(t, metrics, auditwebhook.MetricIndexed)
		dropped = metricValue(t, metrics, auditwebhook.MetricDropped+`{reason="full"}`) + metricValue(t, metrics, auditwebhook.MetricDropped+`{reason="queue"}`)
		return indexed+dropped == total, fmt.Sprintf("%v sent, %v indexed, %v dropped", total, indexed, dropped)
	})
	if indexed > auditwebhook.DefaultMaxEvents || dropped < total-auditwebhook.DefaultMaxEvents {
		t.Errorf("%v sent, %v indexed (cap %d), %v dropped", total, indexed, auditwebhook.DefaultMaxEvents, dropped)
	}
	r.stop(t)
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	_, body := testkit.MustGet(t, url)
	return body
}

func metricValue(t *testing.T, metrics, series string) float64 {
	t.Helper()
	for line := range strings.SplitSeq(metrics, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in\n%s", series, metrics)
	return 0
}
