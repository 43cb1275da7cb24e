// Command bench measures clusterscribe at scale against a real local
// control plane, for `make bench`: the initial snapshot next to a raw
// paginated dump, change → commit latency under steady churn, the API
// requests the recorder issues, the Git repository's growth, and audit with
// every bundled policy. It writes BENCHMARKS.md and a JSON file of the same
// numbers, and leaves no process behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

type config struct {
	cli, out, markdown, jsonOut string
	objects                     int
	churn                       time.Duration
	rates                       []float64
	batchWindow                 time.Duration
	micro                       bool
	restore                     bool
	keep                        bool
}

func main() {
	var c config
	flag.StringVar(&c.cli, "cli", "bin/clusterscribe", "the clusterscribe binary to measure")
	flag.StringVar(&c.out, "out", "bench-output", "where repositories, logs and profiles are written")
	flag.StringVar(&c.markdown, "markdown", "BENCHMARKS.md", "the results table")
	flag.StringVar(&c.jsonOut, "json", "benchmarks.json", "the results as JSON")
	flag.IntVar(&c.objects, "n", 10000, "objects to seed (ConfigMaps, Secrets, Deployments, Services across 100 namespaces)")
	flag.DurationVar(&c.churn, "churn", 5*time.Minute, "how long each churn rate runs")
	flag.DurationVar(&c.batchWindow, "batch-window", 2*time.Second, "record's --batch-window during churn")
	flag.BoolVar(&c.micro, "micro", true, "also run the Go micro-benchmarks")
	flag.BoolVar(&c.restore, "restore", true, "also measure the restore into an empty control plane, next to kubectl and the write ceiling (over an hour at 100,000 objects on 2 cores)")
	flag.BoolVar(&c.keep, "keep", false, "seed the objects, print the kubeconfig and keep the control plane running until Ctrl-C (for profiling by hand)")
	render := flag.Bool("render", false, "only write the markdown of the results in -json again")
	rawdumpKubeconfig := flag.String("rawdump-kubeconfig", "", "internal: run the raw dump baseline with this kubeconfig")
	rawdumpOut := flag.String("rawdump-out", "", "internal: where the raw dump writes")
	webhookServe := flag.String("webhook-serve", "", "internal: serve an audit webhook receiver with this token file")
	limitedKubeconfig := flag.String("limited-kubeconfig", "", "run record --once in a memory cgroup limited to the peak RSS target at -n objects against the cluster of this kubeconfig, and put it in -n's row of the results")
	only := flag.String("only", "", "run only this measurement and update it in -json and -markdown: webhook (the audit webhook receiver), audit (audit + bundled policies over -n objects), restore (restore of -n recorded objects into an empty control plane, next to kubectl and the write ceiling) or snapshot (record --once next to the raw dump at -n/10 and -n)")
	flag.Parse()
	c.rates = []float64{50, 200}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case *render:
		err = rerender(c.jsonOut, c.markdown)
	case *rawdumpKubeconfig != "":
		err = rawDump(ctx, *rawdumpKubeconfig, *rawdumpOut)
	case *limitedKubeconfig != "":
		err = onlyLimited(ctx, c, *limitedKubeconfig)
	case *webhookServe != "":
		err = serveWebhook(ctx, *webhookServe)
	case *only == "webhook":
		err = onlyWebhook(ctx, c)
	case *only == "audit":
		err = onlyAudit(ctx, c)
	case *only == "restore":
		err = onlyRestore(ctx, c)
	case *only == "snapshot":
		err = onlySnapshot(ctx, c)
	case *only != "":
		err = fmt.Errorf("-only %q: the measurements that run alone are webhook, audit, restore and snapshot", *only)
	default:
		err = bench(ctx, c)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench failed:", err)
		stop()
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("%s ==> %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func bench(ctx context.Context, c config) error {
	if c.objects < 100 {
		return fmt.Errorf("-n %d: at least 100 objects (one per namespace)", c.objects)
	}
	out, err := filepath.Abs(c.out)
	if err != nil {
		return fmt.Errorf("output dir: %w", err)
	}
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("clean %s: %w", out, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	c.out = out
	if c.cli, err = filepath.Abs(c.cli); err != nil {
		return fmt.Errorf("cli path: %w", err)
	}
	res := newResults(c)
	if old, err := earlierResults(c); err == nil {
		res.carryOver(old, c.objects) // the other sizes' rows stay
	}
	env, err := startEnv(ctx, c)
	if err != nil {
		return err
	}
	defer env.stop()
	if c.keep {
		if err := env.seedTo(ctx, c.objects); err != nil {
			return err
		}
		step("%d objects seeded; the control plane runs until Ctrl-C:\n\n  export KUBECONFIG=%s\n  %s record --repo /tmp/backup --once --pprof-addr 127.0.0.1:6060\n", c.objects, env.kubeconfig, c.cli)
		<-ctx.Done()
		return nil
	}

	// Each phase's results are written as soon as it ends: a run at
	// 100,000 objects takes an hour, and what it measured before a failure
	// is kept.
	for _, phase := range fullRun(ctx, c, env, res) {
		if err := phase(); err != nil {
			return err
		}
		if err := res.write(c.markdown, c.jsonOut); err != nil {
			return err
		}
	}
	step("results: %s, %s (logs, repositories and profiles in %s)", c.markdown, c.jsonOut, out)
	return nil
}

// fullRun is every phase of a full run, in order.
func fullRun(ctx context.Context, c config, env *env, res *results) []func() error {
	var repo, idFile string
	return []func() error{
		func() (err error) {
			step("fixed cost: clusterscribe version")
			res.Idle, err = measure(ctx, filepath.Join(c.out, "idle.log"), nil, nil, c.cli, "version")
			return err
		},
		func() error { return snapshots(ctx, c, env, res) },
		func() error { return continuous(ctx, c, env, res) },
		func() error { return auditPhase(ctx, c, env, res) },
		func() (err error) {
			if c.restore {
				repo, idFile, err = recordEncrypted(ctx, c, env)
			}
			env.stop()
			return err
		},
		func() (err error) {
			if c.restore {
				res.at(c.objects).Restore, err = restorePhase(ctx, c, repo, idFile)
			}
			return err
		},
		func() (err error) {
			res.Webhook, err = webhookPhase(ctx, c)
			return err
		},
		func() (err error) {
			if !c.micro {
				return nil
			}
			step("Go micro-benchmarks")
			res.Micro, err = microBenchmarks(ctx, filepath.Join(c.out, "micro.txt"))
			return err
		},
	}
}
