package restore

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/gitremote"
	"github.com/clusterscribe/clusterscribe/internal/kube"
)

// Defaults.
const (
	// DefaultRef is the branch record writes by default.
	DefaultRef = "clusterscribe/backup"
	// FieldManager is the server-side apply manager of every write.
	FieldManager = "clusterscribe"
	// DefaultCRDTimeout bounds the wait for restored CRDs to be Established.
	DefaultCRDTimeout = 2 * time.Minute
)

// Existing says what happens to objects that already exist in the cluster.
type Existing string

const (
	// ExistingSkip leaves existing objects as they are (the default).
	ExistingSkip Existing = "skip"
	// ExistingUpdate applies the backup's version over existing objects with
	// server-side apply, taking ownership of every field the backup sets.
	// Fields the live object has and the backup lacks are left as they are:
	// a restore never deletes, not even a field.
	ExistingUpdate Existing = "update"
)

// ParseExisting checks an --existing value.
func ParseExisting(s string) (Existing, error) {
	switch e := Existing(strings.ToLower(strings.TrimSpace(s))); e {
	case ExistingSkip, ExistingUpdate:
		return e, nil
	case "":
		return ExistingSkip, nil
	default:
		return "", fmt.Errorf("%w: --existing: %q is not one of skip, update", ErrInvalidConfig, s)
	}
}

// Source is where the backup is read from.
type Source struct {
	// Repo is a local directory holding a working or bare repository, or a
	// remote URL (https://, ssh://, git://, file://, user@host:path) that is
	// cloned (bare) into Workdir, or fetched when the clone exists.
	Repo string
	// Ref is a branch, tag or commit, read as git rev-parse reads it (a ref
	// wins over an abbreviated hash; "clusterscribe/backup~3" walks back);
	// default DefaultRef.
	Ref string
	// Cluster is the top directory of the cluster in the branch; empty means
	// the only one the commit holds.
	Cluster string
	// Workdir is where a remote is cloned; default
	// os.UserCacheDir()/clusterscribe/restore/<hash of Repo>.
	Workdir string
	// Auth holds the credentials for a remote (read access is enough).
	Auth gitremote.Auth
}

func (s *Source) validate() error {
	if strings.TrimSpace(s.Repo) == "" {
		return fmt.Errorf("%w: --repo is required", ErrInvalidConfig)
	}
	if s.Ref == "" {
		s.Ref = DefaultRef
	}
	if s.Cluster != "" && (strings.ContainsAny(s.Cluster, `/\`) || s.Cluster == "." || s.Cluster == "..") {
		return fmt.Errorf("%w: --cluster-name: %q is not a directory name", ErrInvalidConfig, s.Cluster)
	}
	return nil
}

// Config is a checked description of one restore.
type Config struct {
	Source Source
	// Filters select the objects to restore by kind, namespace and labels.
	// Their default exclusions do not apply: what is in the backup was
	// chosen when it was recorded.
	Filters filters.Options
	// Objects, when set, narrow the restore to these objects (kubectl
	// references, see ParseRef); the filters apply too.
	Objects []ObjectQuery
	// DryRun, when set, changes nothing: DryRunServer sends every write as
	// a server-side dry run, DryRunClient does not contact the cluster.
	// The Summary tells what a restore would do.
	DryRun DryRun
	// Existing says what happens to objects that already exist; default skip.
	Existing Existing
	// Identities decrypt encrypted Secrets (see LoadIdentities).
	Identities []age.Identity
	// IncludeControlPlane restores objects the API server makes and keeps
	// for itself (see ControlPlaneObjects); by default they are skipped.
	IncludeControlPlane bool
	// QPS and Burst cap the requests to the cluster; default
	// kube.DefaultAdaptiveQPS and kube.DefaultAdaptiveBurst. The rate
	// starts at the cap, halves when the API server answers 429 Too Many
	// Requests and climbs back while it keeps up (kube.Adaptive).
	QPS   float32 `json:"qps" help:"client-side cap of API requests per second: the restore starts at it, halves its rate when the API server answers 429 Too Many Requests (honouring Retry-After) and climbs back while the server keeps up"`
	Burst int     `json:"burst" help:"client-side burst of API requests at the cap"`
	// Parallel is how many objects of one level are applied at once;
	// default DefaultParallel.
	Parallel int
	// CRDTimeout bounds the wait for restored CRDs; default DefaultCRDTimeout.
	CRDTimeout time.Duration
	Logger     *slog.Logger
	// Progress, when set, is called after each object is applied with the
	// number applied so far and the number to apply.
	Progress func(done, total int)
}

// validate fills defaults and checks what needs neither the repository nor
// the cluster.
func (c *Config) validate() error {
	if err := c.Source.validate(); err != nil {
		return err
	}
	switch c.Existing {
	case "":
		c.Existing = ExistingSkip
	case ExistingSkip, ExistingUpdate:
	default:
		return fmt.Errorf("%w: existing: %q is not one of skip, update", ErrInvalidConfig, c.Existing)
	}
	if c.QPS <= 0 {
		c.QPS = kube.DefaultAdaptiveQPS
	}
	if c.Burst <= 0 {
		c.Burst = kube.DefaultAdaptiveBurst
	}
	if c.Parallel <= 0 {
		c.Parallel = DefaultParallel
	}
	if c.CRDTimeout <= 0 {
		c.CRDTimeout = DefaultCRDTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// newFilter builds the object filter: the user's kinds, namespaces and
// selector, without default exclusions.
func newFilter(o filters.Options) (*filters.Filter, error) {
	o.Include = []string{filters.IncludeAll}
	o.IncludeOwned = true
	f, err := filters.New(o)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return f, nil
}

// DryRun is kubectl's --dry-run strategy for a restore.
type DryRun string

// Dry-run strategies. The zero value restores.
const (
	// DryRunServer sends every write as a server-side dry run (dryRun=All):
	// the API server validates, defaults and admits each object and tells
	// whether it would be created, updated or left unchanged.
	DryRunServer DryRun = "server"
	// DryRunClient reads and decrypts the backup and plans the restore
	// (scope, order, skipped Secrets) without contacting the cluster:
	// every object in scope is Planned.
	DryRunClient DryRun = "client"
)
