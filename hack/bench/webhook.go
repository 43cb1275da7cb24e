package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// webhookResult is the audit webhook receiver under a steady flood of
// audit events, in a process of its own.
type webhookResult struct {
	TargetPerSec float64 `json:"targetEventsPerSecond"`
	Seconds      float64 `json:"seconds"`
	Sent         int     `json:"eventsSent"`
	Accepted     int     `json:"eventsAccepted"` // in requests answered 200
	PerSec       float64 `json:"eventsPerSecond"`
	CPUCores     float64 `json:"cpuCores"`
	PeakRSS      int64   `json:"peakRSSBytes"`
	PeakAnon     int64   `json:"peakAnonymousRSSBytes"`
	Indexed      float64 `json:"indexedAtEnd"`
	Dropped      float64 `json:"dropped"`
	MaxEvents    int     `json:"maxEvents"`
}

const (
	webhookRate     = 10000 // events per second
	webhookDuration = 10 * time.Second
	webhookBatch    = 100 // events per request, like kube-apiserver's batches
)

// serveWebhook is the internal mode the measurement runs in a child: a
// receiver on loopback, its address on standard output, until killed.
func serveWebhook(ctx context.Context, tokenFile string) error {
	r, err := auditwebhook.New(auditwebhook.Config{Options: auditwebhook.Options{Addr: "127.0.0.1:0", TokenFile: tokenFile}})
	if err != nil {
		return err
	}
	fmt.Println(r.Addr())
	return r.Serve(ctx)
}

// webhookPhase floods a receiver in a child process with webhookRate
// events a second for webhookDuration and measures its CPU and memory.
func webhookPhase(ctx context.Context, c config) (*webhookResult, error) {
	step("audit webhook receiver: %d events/s for %s", webhookRate, webhookDuration)
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own binary: %w", err)
	}
	token := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	tokenFile := filepath.Join(c.out, "webhook-token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		return nil, fmt.Errorf("write token: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "-webhook-serve", tokenFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start receiver: %w", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("receiver address: %w", err)
	}
	base := "http://" + strings.TrimSpace(addr)
	res := &webhookResult{TargetPerSec: webhookRate, MaxEvents: auditwebhook.DefaultMaxEvents}
	pid := cmd.Process.Pid
	done := make(chan struct{})
	peakAnon := make(chan int64, 1)
	go func() { peakAnon <- pollAnon(pid, done) }()
	before, err := sampleProc(pid)
	if err != nil {
		return nil, err
	}
	accepted, sent, err := flood(ctx, base+auditwebhook.Path, token)
	after, serr := sampleProc(pid)
	close(done)
	res.PeakAnon = <-peakAnon
	if err = errors.Join(err, serr); err != nil {
		return nil, err
	}
	wall := after.At.Sub(before.At)
	res.Seconds, res.Sent, res.Accepted = wall.Seconds(), sent, accepted
	res.PerSec = float64(accepted) / wall.Seconds()
	res.CPUCores = (after.CPU - before.CPU).Seconds() / wall.Seconds()
	res.PeakRSS = after.PeakRS
	metrics, err := get(ctx, base+"/metrics")
	if err != nil {
		return nil, err
	}
	res.Indexed = promValue(metrics, auditwebhook.MetricIndexed)
	res.Dropped = promValue(metrics, auditwebhook.MetricDropped+`{reason="full"}`) + promValue(metrics, auditwebhook.MetricDropped+`{reason="queue"}`)
	return res, nil
}

// flood POSTs EventLists of webhookBatch writes at webhookRate events a
// second, from as many connections as it takes, and counts the events in
// requests answered 200.
func flood(ctx context.Context, url, token string) (accepted, sent int, err error) {
	bodies := make([][]byte, 16)
	for i := range bodies {
		bodies[i] = eventList(i)
	}
	var ok atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	tick := time.NewTicker(time.Second / (webhookRate / webhookBatch))
	defer tick.Stop()
	end := time.Now().Add(webhookDuration)
	for i := 0; time.Now().Before(end); i++ {
		select {
		case <-ctx.Done():
			wg.Wait()
			return int(ok.Load()), sent, ctx.Err()
		case <-tick.C:
		}
		sem <- struct{}{}
		sent += webhookBatch
		wg.Go(func() {
			defer func() { <-sem }()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i%len(bodies)]))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ok.Add(webhookBatch)
			}
		})
	}
	wg.Wait()
	return int(ok.Load()), sent, nil
}

// eventList is an audit.k8s.io/v1 EventList of webhookBatch Metadata-level
// writes, as kube-apiserver sends them.
func eventList(seq int) []byte {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	items := make([]map[string]any, webhookBatch)
	for i := range items {
		items[i] = map[string]any{
			"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": fmt.Sprintf("%08d-%04d", seq, i),
			"stage": "ResponseComplete", "verb": "patch", "requestURI": "/apis/apps/v1/namespaces/shop/deployments/web",
			"user":                     map[string]any{"username": fmt.Sprint("user-", i%17), "groups": []string{"devs", "system:authenticated"}},
			"userAgent":                "kubectl/v1.36.3 (linux/amd64) kubernetes/0000000",
			"objectRef":                map[string]any{"resource": "deployments", "namespace": fmt.Sprint("ns-", i%100), "name": fmt.Sprintf("web-%d-%d", seq, i), "apiGroup": "apps", "apiVersion": "v1"},
			"responseStatus":           map[string]any{"metadata": map[string]any{}, "code": 200},
			"requestReceivedTimestamp": now, "stageTimestamp": now,
		}
	}
	b, _ := json.Marshal(map[string]any{"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": map[string]any{}, "items": items})
	return b
}

func get(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// promValue reads one series of a Prometheus text exposition; 0 when
// absent.
func promValue(metrics, series string) float64 {
	for line := range strings.SplitSeq(metrics, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			_, _ = fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

// onlyWebhook runs the webhook measurement alone and adds it to the
// results in jsonFile (written by an earlier make bench), then writes both
// files again.
func onlyWebhook(ctx context.Context, c config) error {
	r, err := earlierResults(c)
	if err != nil {
		return err
	}
	if r.Webhook, err = webhookPhase(ctx, c); err != nil {
		return err
	}
	return r.write(c.markdown, c.jsonOut)
}

// earlierResultsAbs is earlierResults for a measurement that runs the
// CLI and writes files: it also makes c's output and CLI paths absolute.
func earlierResultsAbs(c *config) (*results, error) {
	r, err := earlierResults(*c)
	if err != nil {
		return nil, err
	}
	if c.out, err = filepath.Abs(c.out); err != nil {
		return nil, fmt.Errorf("output dir: %w", err)
	}
	if c.cli, err = filepath.Abs(c.cli); err != nil {
		return nil, fmt.Errorf("cli path: %w", err)
	}
	return r, nil
}

// earlierResults reads the results of the last full run, which a
// measurement run alone (-only) updates.
func earlierResults(c config) (*results, error) {
	data, err := os.ReadFile(c.jsonOut)
	if err != nil {
		return nil, fmt.Errorf("read results (run make bench first): %w", err)
	}
	var r results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("parse %s: %w", c.jsonOut, err)
	}
	if r.batchWindow, err = time.ParseDuration(r.BatchWindow); err != nil {
		return nil, fmt.Errorf("%s: batchWindow: %w", c.jsonOut, err)
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", c.out, err)
	}
	return &r, nil
}

func (r *results) webhookTable(p func(string, ...any)) {
	w := r.Webhook
	if w == nil {
		return
	}
	p("## 6. Audit webhook receiver")
	p("")
	p("The receiver behind `record --audit-webhook-addr` (package `watcher/auditwebhook`) in a process of its own, sent Metadata-level `EventList`s of %d writes (as kube-apiserver batches them) at %.0f events/s for %.0f s over loopback with a bearer token; `go run ./hack/bench -only webhook` measures it alone (paced: CPU and memory at this rate, not the most it can take). The index keeps at most %d events; the rest are dropped and counted.", webhookBatch, w.TargetPerSec, w.Seconds, w.MaxEvents)
	p("")
	p("| Target | Handled (answered 200) | CPU (cores) | Peak RSS (anonymous) | Indexed at the end | Dropped (counted) |")
	p("|---:|---:|---:|---:|---:|---:|")
	p("| %.0f/s | %.0f/s (%d of %d events) | %.2f | %s (%s) | %.0f | %.0f |", w.TargetPerSec, w.PerSec, w.Accepted, w.Sent, w.CPUCores, mib(w.PeakRSS), mib(w.PeakAnon), w.Indexed, w.Dropped)
	p("")
}
