package propose

import (
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// Defaults.
const (
	DefaultBranchPrefix = "clusterscribe/propose"
	DefaultMaxPRs       = 10
	DefaultAdoptDir     = "adopted"
)

// Config is one propose run.
type Config struct {
	// Audit is the audit to run. Audit.Declared.Source is the declared
	// repository: a Git URL with an optional @branch (the base of the pull
	// requests; default the remote's default branch), or a directory
	// inside a Git work tree, whose checked-out branch is the base and
	// which gets local branches only. Audit.Declared.Auth are the Git
	// credentials; Audit.Declared.Path narrows the audit as usual.
	Audit audit.Config
	// Forge opens the pull requests; nil writes branches and patch files
	// only (--forge none).
	Forge forge.Forge
	// BranchPrefix is where propose's branches live; default
	// DefaultBranchPrefix. Propose pushes, replaces and deletes branches
	// under it only.
	BranchPrefix string
	// Group puts every change of a run on one branch and pull request.
	Group bool
	// MaxPRs caps the pull requests opened per run; 0 means
	// DefaultMaxPRs, a negative value no cap. Updates are not capped.
	MaxPRs int
	// AdoptUnmanaged adds a file under AdoptDir for each Unmanaged object
	// (Secrets excepted: their values never leave the cluster).
	AdoptUnmanaged bool
	// AdoptDir is the directory, relative to the repository root, adopted
	// objects go to; default DefaultAdoptDir.
	AdoptDir string
	// PatchDir receives a .patch file per branch when there is no forge;
	// default the current directory.
	PatchDir string
	// Workdir is where the declared repository is cloned; default the
	// system's temporary directory. The clone is removed when Run returns.
	Workdir string
	// Live reads drifted objects again for their live values; nil reads
	// them with a dynamic client under the audit's rate limits.
	Live LiveReader
	// AuthorName and AuthorEmail sign the commits; defaults
	// "clusterscribe" and "clusterscribe@localhost".
	AuthorName, AuthorEmail string
	// Now stamps commits; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if _, err := declared.ParseSource(c.Audit.Declared.Source); err != nil {
		return err
	}
	if c.BranchPrefix == "" {
		c.BranchPrefix = DefaultBranchPrefix
	}
	c.BranchPrefix = strings.Trim(c.BranchPrefix, "/")
	if err := plumbing.NewBranchReferenceName(c.BranchPrefix + "/x").Validate(); err != nil {
		return fmt.Errorf("branch prefix %q: not a valid branch name", c.BranchPrefix)
	}
	if c.MaxPRs == 0 {
		c.MaxPRs = DefaultMaxPRs
	}
	if c.AdoptDir == "" {
		c.AdoptDir = DefaultAdoptDir
	}
	c.AdoptDir = strings.Trim(path.Clean("/"+strings.ReplaceAll(c.AdoptDir, "\\", "/")), "/")
	if c.AdoptDir == "" || strings.HasPrefix(c.AdoptDir, ".git") {
		return fmt.Errorf("adopt directory %q: must be a directory inside the repository", c.AdoptDir)
	}
	if c.PatchDir == "" {
		c.PatchDir = "."
	}
	if c.AuthorName == "" {
		c.AuthorName = "clusterscribe"
	}
	if c.AuthorEmail == "" {
		c.AuthorEmail = "clusterscribe@localhost"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
