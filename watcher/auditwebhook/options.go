package auditwebhook

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/internal/option"
)

// Options are the receiver's settings a user gives: the flags of record
// and the record.* keys of run's configuration, named and described here
// once (the json tag is the flag's and the key's name, help its help).
type Options struct {
	Addr      string `json:"audit-webhook-addr" help:"address (host:port) of the audit webhook receiver the API server's --audit-webhook-config-file points at (path /audit); attribution to people is on when set"`
	TokenFile string `json:"audit-webhook-token-file" help:"file holding the bearer token the API server's webhook kubeconfig sends"`
	TLSCert   string `json:"audit-webhook-tls-cert" help:"certificate the audit webhook receiver serves (plain HTTP only on loopback)"`
	TLSKey    string `json:"audit-webhook-tls-key" help:"private key of audit-webhook-tls-cert"`
	ClientCA  string `json:"audit-webhook-client-ca" help:"CA bundle the API server's client certificate must be signed by (mTLS)"`
}

// BindFlags registers one flag per option on fs, named and described by
// the struct's tags, with o's values as defaults.
func (o *Options) BindFlags(fs *pflag.FlagSet) { option.Bind(fs, "", o) }

// flag names the option of a field in errors: "--audit-webhook-addr".
func flag(field string) string { return "--" + option.NameOf[Options](field) }

// Enabled reports whether a receiver is asked for.
func (o Options) Enabled() bool { return o.Addr != "" }

// Config is a receiver's full configuration.
type Config struct {
	Options
	// MaxEvents caps the events indexed; default DefaultMaxEvents.
	MaxEvents int
	// MaxAge is how long an event is kept; default DefaultMaxAge. It must
	// cover the API server's batch wait plus the recorder's batch window.
	MaxAge time.Duration
	// MaxBodyBytes caps one request's body; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// QueueLength is the number of requests waiting to be indexed; when
	// full, a request's events are dropped and counted. Default
	// DefaultQueueLength.
	QueueLength int
	// Skew is how much later than the watch event its write may have been
	// answered; default DefaultSkew.
	Skew time.Duration
	// Logger; default discards.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultMaxEvents    = 20000
	DefaultMaxAge       = 15 * time.Minute
	DefaultMaxBodyBytes = 16 << 20
	DefaultQueueLength  = 64
	DefaultSkew         = 2 * time.Second
	// Path is where the receiver accepts EventLists.
	Path = "/audit"
)

// ErrInvalidOptions wraps every error of New about its configuration.
var ErrInvalidOptions = errors.New("invalid audit webhook options")

func (c *Config) withDefaults() {
	if c.MaxEvents <= 0 {
		c.MaxEvents = DefaultMaxEvents
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.QueueLength <= 0 {
		c.QueueLength = DefaultQueueLength
	}
	if c.Skew <= 0 {
		c.Skew = DefaultSkew
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// auth is what the options resolve to: the token and the TLS settings.
type auth struct {
	token []byte // nil: no token asked for
	tls   *tls.Config
}

// resolve checks the options and reads the files they name.
func (o Options) resolve() (auth, error) {
	var a auth
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return a, fmt.Errorf("%w: %s %q: %w", ErrInvalidOptions, flag("Addr"), o.Addr, err)
	}
	if o.TokenFile == "" && o.ClientCA == "" {
		return a, fmt.Errorf("%w: %s needs %s or %s: the endpoint is never open to anyone", ErrInvalidOptions, flag("Addr"), flag("TokenFile"), flag("ClientCA"))
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return a, fmt.Errorf("%w: set both %s and %s", ErrInvalidOptions, flag("TLSCert"), flag("TLSKey"))
	}
	if o.TLSCert == "" && !loopback(host) {
		return a, fmt.Errorf("%w: %s %q is not a loopback address: plain HTTP is allowed on loopback only; set %s and %s", ErrInvalidOptions, flag("Addr"), o.Addr, flag("TLSCert"), flag("TLSKey"))
	}
	if o.ClientCA != "" && o.TLSCert == "" {
		return a, fmt.Errorf("%w: %s needs %s and %s (client certificates come with TLS)", ErrInvalidOptions, flag("ClientCA"), flag("TLSCert"), flag("TLSKey"))
	}
	if o.TokenFile != "" {
		data, err := os.ReadFile(o.TokenFile)
		if err != nil {
			return a, fmt.Errorf("%w: %s: %w", ErrInvalidOptions, flag("TokenFile"), err)
		}
		if a.token = []byte(strings.TrimSpace(string(data))); len(a.token) == 0 {
			return a, fmt.Errorf("%w: %s %s is empty", ErrInvalidOptions, flag("TokenFile"), o.TokenFile)
		}
	}
	if o.TLSCert != "" {
		if a.tls, err = o.tlsConfig(); err != nil {
			return a, err
		}
	}
	return a, nil
}

func (o Options) tlsConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %s, %s: %w", ErrInvalidOptions, flag("TLSCert"), flag("TLSKey"), err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if o.ClientCA != "" {
		pem, err := os.ReadFile(o.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidOptions, flag("ClientCA"), err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: %s %s holds no PEM certificate", ErrInvalidOptions, flag("ClientCA"), o.ClientCA)
		}
		// Verified when given; the handler refuses (and counts) a request
		// without one, which a failed handshake could not.
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
