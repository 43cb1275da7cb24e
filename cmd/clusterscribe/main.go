// Command clusterscribe turns a live Kubernetes cluster into Git: a backup
// branch, drift findings, pull requests and compliance reports.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/clusterscribe/clusterscribe/internal/memlimit"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// In a container, the garbage collector keeps under its memory limit.
	// A limit that cannot be read leaves the runtime's default (none), and
	// says so: the process may then grow past the container's limit.
	if _, err := memlimit.Apply(); err != nil {
		fmt.Fprintln(os.Stderr, "warning:", err, "(set GOMEMLIMIT to choose the Go heap's limit)")
	}
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	cmd := newRootCommand(streams)
	useInvokedName(cmd, os.Args[0])
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(exitCode(err))
	}
}
