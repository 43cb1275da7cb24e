package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// rawDump is the baseline the initial snapshot is compared with: the same
// kinds record watches, listed with the same page size and client rate
// limit, each object written as the JSON the API server sent — no
// normalization, no Git. It runs in its own process so that its peak RSS
// is its own.
func rawDump(ctx context.Context, kubeconfig, out string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	f, err := filters.New(filters.Options{})
	if err != nil {
		return err
	}
	w, err := watcher.New(cfg, watcher.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	served, err := w.Discover()
	if err != nil {
		return err
	}
	clients, err := kube.New(cfg, kube.Limits{})
	if err != nil {
		return err
	}
	dyn := clients.Dynamic
	n := 0
	for _, r := range served {
		if !f.WantResource(r) {
			continue
		}
		dir := filepath.Join(out, r.GVR.Group, r.GVR.Resource)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		opts := metav1.ListOptions{Limit: watcher.DefaultPageSize}
		for {
			list, err := dyn.Resource(r.GVR).List(ctx, opts)
			if err != nil {
				return fmt.Errorf("list %s: %w", r, err)
			}
			for i := range list.Items {
				item := &list.Items[i]
				b, err := json.Marshal(item.Object)
				if err != nil {
					return fmt.Errorf("encode %s %s: %w", r, item.GetName(), err)
				}
				name := item.GetName() + ".json"
				if ns := item.GetNamespace(); ns != "" {
					name = ns + "_" + name
				}
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					return fmt.Errorf("write: %w", err)
				}
				n++
			}
			if list.GetContinue() == "" {
				break
			}
			opts.Continue = list.GetContinue()
		}
	}
	fmt.Println(n)
	return nil
}
