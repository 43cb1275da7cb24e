package record

import (
	"fmt"
	"strings"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/option"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// Options are the options of a recording a user gives, declared once
// here: the flags of record and the keys of the record section of run's
// configuration (see package internal/option). The options record shares
// with audit (filters, API limits, normalization rules) are declared by
// their own packages.
type Options struct {
	Repo          string        `json:"repo" help:"backup repository: a local directory (created when missing) or a remote URL (file://, https://, ssh://, user@host:path); run records when it is set"`
	Branch        string        `json:"branch" help:"backup branch, created when missing"`
	Workdir       string        `json:"workdir" help:"where a remote repository is cloned (default: the user cache directory)"`
	BatchWindow   time.Duration `json:"batch-window" help:"how long changes gather before one commit"`
	ShutdownGrace time.Duration `json:"shutdown-grace" help:"time allowed for the last commit and push on exit (SIGTERM)"`
	AuthorName    string        `json:"author-name" help:"commit author name"`
	AuthorEmail   string        `json:"author-email" help:"commit author email"`
	// Auth are the backup repository's Git credentials.
	committer.Auth `json:",inline"`
	Secrets        string   `json:"secrets" help:"how Secret values are written: redact, encrypt (age; needs age-recipient) or omit"`
	AgeRecipient   []string `json:"age-recipient" help:"age recipient (age1…) Secrets are encrypted to; repeatable"`
	// AuditWebhook is the audit webhook receiver: its address turns
	// attribution to people on.
	AuditWebhook auditwebhook.Options `json:",inline"`
}

// DefaultOptions are the options with their defaults.
func DefaultOptions() Options {
	return Options{
		Branch:        DefaultBranch,
		BatchWindow:   DefaultBatchWindow,
		ShutdownGrace: DefaultShutdownGrace,
		AuthorName:    DefaultAuthorName,
		AuthorEmail:   DefaultAuthorEmail,
		Secrets:       string(serializer.SecretsRedact),
	}
}

// Commit authors by default.
const (
	DefaultAuthorName  = "clusterscribe"
	DefaultAuthorEmail = "clusterscribe@localhost"
)

// SecretMode is the Secret mode the secrets option names (in any case);
// an unknown one is an option.Error.
func (o Options) SecretMode() (serializer.SecretMode, error) {
	switch mode := serializer.SecretMode(strings.ToLower(o.Secrets)); mode {
	case serializer.SecretsRedact, serializer.SecretsEncrypt, serializer.SecretsOmit:
		return mode, nil
	}
	return "", &option.Error{Name: option.NameOf[Options]("Secrets"), Err: fmt.Errorf("%q is not one of redact, encrypt, omit", o.Secrets)}
}

// Apply sets what the options say on c: the repository, the batching, the
// Secret mode and the audit webhook receiver. c.Serializer's rules are
// left as they are.
func (o Options) Apply(c *Config) error {
	mode, err := o.SecretMode()
	if err != nil {
		return err
	}
	c.Committer.Repo, c.Committer.Branch, c.Committer.Workdir = o.Repo, o.Branch, o.Workdir
	c.Committer.AuthorName, c.Committer.AuthorEmail, c.Committer.Auth = o.AuthorName, o.AuthorEmail, o.Auth
	c.BatchWindow, c.ShutdownGrace = o.BatchWindow, o.ShutdownGrace
	c.Serializer.Secrets, c.Serializer.AgeRecipients = mode, o.AgeRecipient
	c.AuditWebhook = o.AuditWebhook
	return nil
}
