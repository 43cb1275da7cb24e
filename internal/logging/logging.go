// Package logging builds the process's slog logger from flags and routes
// client-go's klog into it.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

// Options are the logging flags.
type Options struct {
	Level  string
	Format string
}

// BindFlags adds --log-level and --log-format.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	if o.Level == "" {
		o.Level = "info"
	}
	if o.Format == "" {
		o.Format = "text"
	}
	fs.StringVar(&o.Level, "log-level", o.Level, "log level: debug, info, warn or error")
	fs.StringVar(&o.Format, "log-format", o.Format, "log format: text or json")
}

// New returns a logger writing to w and makes klog (client-go's logs) use it.
func (o *Options) New(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.Level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", o.Level)
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(o.Format) {
	case "text", "":
		h = slog.NewTextHandler(w, hopts)
	case "json":
		h = slog.NewJSONHandler(w, hopts)
	default:
		return nil, fmt.Errorf("--log-format: %q is not one of text, json", o.Format)
	}
	log := slog.New(h)
	// klog is process-global: it follows the first logger made. Changing
	// it later would race with client-go goroutines that read it.
	klogOnce.Do(func() { klog.SetSlogLogger(log.With("source", "client-go")) })
	return log, nil
}

var klogOnce sync.Once
