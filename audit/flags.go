package audit

import (
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/ignore"
	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/option"
)

// Options are the options of an audit a user gives, declared once here:
// the flags of audit and propose (which audits first) and the keys of the
// audit section of run's configuration (see package internal/option).
// The options audit shares with record (filters, API limits,
// normalization rules) are declared by their own packages.
type Options struct {
	Declared string `json:"declared" help:"the declared state: a directory, or a Git URL with an optional @ref (https://host/org/repo.git@main, file:///srv/repo.git@v1.2, git@host:org/repo.git); propose bases its pull requests on that ref, and takes a directory only inside a Git work tree (forge none)"`
	Path     string `json:"path" help:"sub-directory of the declared repo to audit against (e.g. clusters/prod)"`
	Workdir  string `json:"workdir" help:"where a Git URL is cloned, then removed (default: the system temporary directory)"`
	// Auth are the declared repo's Git credentials.
	committer.Auth `json:",inline"`

	Strict      bool     `json:"strict" help:"report every difference, also fields the server defaulted, controllers' fields and what the built-in ignore rules excuse"`
	ServerSide  bool     `json:"server-side" help:"compare against a server-side dry-run apply of each declared object (exact defaults; one request per object, rate limited)"`
	IgnoreRules string   `json:"ignore-rules" help:"what to ignore when comparing, as Argo CD writes it: a file holding an Application or ApplicationSet (spec.ignoreDifferences), the argocd-cm ConfigMap (resource.customizations.ignoreDifferences.*), or a plain ignoreDifferences list"`
	Applier     []string `json:"applier" help:"field managers that apply the declared repo with update operations"`
	Controller  []string `json:"controller" help:"field managers whose fields are never drift"`
	// BackupRepo is read by the caller (package restore reads people).
	BackupRepo string `json:"backup-repo" help:"backup repository (record's repo, its backup branch): findings name the person who last changed each object, from the commit lines a recorder with audit-webhook-addr writes (without it, only field managers; run asks its own receiver instead when record.audit-webhook-addr is set)"`
}

// OptionHelp adds the default field managers to the help of applier and
// controller.
func (*Options) OptionHelp(name, help string) string {
	switch name {
	case option.NameOf[Options]("Applier"):
		return help + " (default: " + strings.Join(DefaultAppliers(), ",") + ")"
	case option.NameOf[Options]("Controller"):
		return help + " (default: " + strings.Join(DefaultControllers(), ",") + ")"
	}
	return help
}

// Apply sets what the options say on c: the declared repo, the comparison
// and the ignore rules, read from their file. A bad value is an
// option.Error naming its option.
func (o Options) Apply(c *Config) error {
	c.Declared.Source, c.Declared.Path, c.Declared.Workdir, c.Declared.Auth = o.Declared, o.Path, o.Workdir, o.Auth
	c.ServerSide = o.ServerSide
	c.Compare.Strict, c.Compare.Appliers, c.Compare.Controllers = o.Strict, o.Applier, o.Controller
	c.Compare.Ignore = nil
	if o.IgnoreRules != "" {
		rules, err := ignore.LoadFile(o.IgnoreRules)
		if err != nil {
			return &option.Error{Name: option.NameOf[Options]("IgnoreRules"), Err: err}
		}
		c.Compare.Ignore = rules
	}
	return nil
}
