package propose

// Options are the options of propose a user gives, declared once here:
// the flags of propose (with audit's, as it audits first) and the keys of
// the propose section of run's configuration (see package
// internal/option). The forge itself is built by the caller.
type Options struct {
	Forge          string `json:"forge" help:"where pull requests are opened: gitea, github, gitlab, or none (write branches and .patch files only)"`
	ForgeURL       string `json:"forge-url" help:"the forge's URL (default: derived from the declared repo's URL; GitHub's API for github.com)"`
	ForgeRepo      string `json:"forge-repo" help:"the repository on the forge, owner/name (default: from the declared repo's URL)"`
	TokenFile      string `json:"token-file" help:"file holding the forge's access token (also the Git token of the declared repo when no git-token-file or git-token-env is given)"`
	TokenEnv       string `json:"token-env" help:"environment variable holding the forge's access token (default for propose: GITHUB_TOKEN, GITLAB_TOKEN or GITEA_TOKEN, as forge says)"`
	BranchPrefix   string `json:"branch-prefix" help:"branches propose writes (and only these) live under this prefix"`
	Group          bool   `json:"group" help:"one branch and pull request for all drift of a run instead of one per object"`
	MaxPRs         int    `json:"max-prs" help:"pull requests opened at most per run (updates are not capped); negative: no cap"`
	AdoptUnmanaged bool   `json:"adopt-unmanaged" help:"propose a new file for each Unmanaged object (Secrets excepted)"`
	AdoptDir       string `json:"adopt-dir" help:"directory of the declared repo adopted objects are written to"`
	PatchDir       string `json:"patch-dir" help:"where .patch files are written with forge none (default for propose: the current directory; run needs one)"`
}

// DefaultOptions are the options with their defaults.
func DefaultOptions() Options {
	return Options{Forge: "none", BranchPrefix: DefaultBranchPrefix, MaxPRs: DefaultMaxPRs, AdoptDir: DefaultAdoptDir}
}

// Apply sets what the options say on c, but the forge. workdir is where
// the declared repo is cloned (the audit's workdir).
func (o Options) Apply(c *Config, workdir string) {
	c.BranchPrefix, c.Group, c.MaxPRs = o.BranchPrefix, o.Group, o.MaxPRs
	c.AdoptUnmanaged, c.AdoptDir, c.PatchDir = o.AdoptUnmanaged, o.AdoptDir, o.PatchDir
	c.Workdir = workdir
}
