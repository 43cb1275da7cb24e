package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/option"
	"github.com/clusterscribe/clusterscribe/operate"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/propose"
	"github.com/clusterscribe/clusterscribe/propose/forge"
	"github.com/clusterscribe/clusterscribe/propose/forge/gitea"
	"github.com/clusterscribe/clusterscribe/propose/forge/github"
	"github.com/clusterscribe/clusterscribe/propose/forge/gitlab"
)

// Exit codes of propose.
const (
	exitProposed   = 0 // every branch handled (drift or not)
	exitIncomplete = 1 // some branches failed; the others were handled
)

type proposeOptions struct {
	auditFlags
	cfg      propose.Config
	propose  propose.Options
	policies operate.Evaluation
}

// bindFlags binds propose's options and every option of the audit it runs
// first (so audit and propose agree on what drifted), as their packages
// declare them.
func (o *proposeOptions) bindFlags(fs *pflag.FlagSet) {
	o.auditFlags.bindFlags(fs)
	o.propose = propose.DefaultOptions()
	option.Bind(fs, "", &o.propose)
	o.policies.Options = policies.DefaultOptions()
	option.Bind(fs, "", &o.policies)
}

// complete turns flags into a checked configuration.
func (o *proposeOptions) complete(g *globals) error {
	if err := o.check("the Git URL of the declared repo, with the base branch after @ (e.g. --declared https://git.example.com/org/fleet.git@main)"); err != nil {
		return err
	}
	p := &o.propose
	if p.TokenFile != "" && p.TokenEnv != "" {
		return errors.New("--token-file and --token-env exclude each other: give one")
	}
	if p.TokenFile == "" && p.TokenEnv == "" {
		p.TokenEnv = forgeTokenEnv[strings.ToLower(p.Forge)]
	}
	cfg, err := proposeConfig(o.shared, o.audit, *p)
	if err != nil {
		return err
	}
	o.cfg = cfg
	inNamespace(&o.cfg.Audit, g)
	return nil
}

// proposeConfig is the propose run the options describe, forge included:
// the declared repo's Git token is the forge's when none is given.
func proposeConfig(shared operate.Shared, a audit.Options, p propose.Options) (propose.Config, error) {
	if a.TokenFile == "" && a.TokenEnv == "" {
		a.TokenFile, a.TokenEnv = p.TokenFile, p.TokenEnv
	}
	var cfg propose.Config
	var err error
	if cfg.Audit, err = shared.ForAudit(a); err != nil {
		return cfg, err
	}
	p.Apply(&cfg, a.Workdir)
	src, err := declared.ParseSource(a.Declared)
	if err != nil {
		return cfg, err
	}
	cfg.Forge, err = newForge(p, src)
	return cfg, err
}

// forge builds the forge client --forge names.
func newForge(o propose.Options, src declared.Source) (forge.Forge, error) {
	kind := strings.ToLower(o.Forge)
	if kind == "none" {
		return nil, nil
	}
	if !src.IsGit() {
		return nil, fmt.Errorf("--forge %s needs --declared to be a Git URL", kind)
	}
	opts := forge.Options{URL: o.ForgeURL, Repo: o.ForgeRepo, Token: forge.Token{File: o.TokenFile, Env: o.TokenEnv}}
	if opts.URL == "" || opts.Repo == "" {
		web, repo, err := forge.RepoFromURL(src.URL)
		if err != nil {
			return nil, fmt.Errorf("--forge-url/--forge-repo: %w", err)
		}
		if opts.Repo == "" {
			opts.Repo = repo
		}
		if opts.URL == "" {
			opts.URL = web
			if kind == "github" {
				opts.URL = github.APIURL(web)
			}
		}
	}
	var f forge.Forge
	var err error
	switch kind {
	case "gitea":
		f, err = gitea.New(opts)
	case "github":
		f, err = github.New(opts)
	case "gitlab":
		f, err = gitlab.New(opts)
	default:
		return nil, fmt.Errorf("--forge: %q is not one of gitea, github, gitlab, none", o.Forge)
	}
	if errors.Is(err, forge.ErrNoToken) {
		return nil, fmt.Errorf("--forge %s needs an access token: %w; pass --token-file FILE or --token-env VAR, or set %s", kind, err, forgeTokenEnv[kind])
	}
	return f, err
}

func newProposeCommand(g *globals) *cobra.Command {
	o := &proposeOptions{}
	cmd := &cobra.Command{
		Use:   "propose --declared <git URL>[@base] --forge gitea|github|gitlab|none [--token-file F] [-o text|json|yaml]",
		Short: "Open pull requests that memorialize live changes in the declared repo",
		Long: "propose audits the cluster against the declared repo and turns each drifted object into a pull\n" +
			"request: the file that declares it is edited in place (only the drifted fields change; comments and\n" +
			"formatting stay), on a branch with a stable name, with who changed it live, the diff and the policy\n" +
			"findings on it. Running it again updates those pull requests instead of opening new ones, and closes\n" +
			"them once the drift is gone. MissingLive objects are listed, never deleted from Git.\n" +
			"With --forge none, branches and .patch files are written instead.\n\n" +
			"The forge token is read from --token-file, --token-env, or else $GITHUB_TOKEN, $GITLAB_TOKEN or\n" +
			"$GITEA_TOKEN as --forge says.\n\n" +
			"Exit status: 0 done, 1 some proposals failed (the others were made), 2 error or usage error.",
		Example: "  # pull requests on GitHub, the token in $GITHUB_TOKEN\n" +
			"  clusterscribe propose --declared https://github.com/org/fleet.git@main --path clusters/prod --forge github\n\n" +
			"  # branches and .patch files only, from a local clone\n" +
			"  clusterscribe propose --declared ./fleet --forge none --patch-dir out/ -o json",
		Annotations: map[string]string{annotationNamespaced: "the default namespace of declared objects that name none"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(g); err != nil {
				return usageError(err)
			}
			return o.run(cmd, g)
		},
	}
	o.bindFlags(cmd.Flags())
	o.out = addOutputFlags(cmd, "text")
	return cmd
}

func (o *proposeOptions) run(cmd *cobra.Command, g *globals) error {
	log, restCfg, err := g.connect(cmd.Context())
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	o.cfg.Logger = log
	if err := o.ready(cmd.Context(), &o.cfg.Audit, log, o.policies.Options, o.policies.Evaluating()); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	res, err := propose.Run(cmd.Context(), restCfg, o.cfg)
	if res.Report != nil {
		if werr := o.write(g, res); werr != nil && err == nil {
			err = werr
		}
	}
	switch {
	case errors.Is(err, propose.ErrIncomplete):
		return &exitError{code: exitIncomplete, err: err}
	case err != nil:
		return &exitError{code: exitFailed, err: err}
	}
	return nil
}

// write renders the result in the -o format.
func (o *proposeOptions) write(g *globals, res propose.Result) error {
	return o.out.show(g.streams.Out, proposeView(res), func(w io.Writer) error { return writeProposals(w, res) })
}

// proposeOutput is propose's -o json/yaml output.
type proposeOutput struct {
	Base        string           `json:"base"`
	BaseCommit  string           `json:"baseCommit"`
	Modified    int              `json:"modified"`
	MissingLive int              `json:"missingLive"`
	Unmanaged   int              `json:"unmanaged"`
	Proposals   []proposalOutput `json:"proposals"`
}

type proposalOutput struct {
	Action   string               `json:"action"`
	Branch   string               `json:"branch"`
	Objects  []findings.ObjectRef `json:"objects,omitempty"`
	Commit   string               `json:"commit,omitempty"`
	Files    []string             `json:"files,omitempty"`
	Notes    []string             `json:"notes,omitempty"`
	PRNumber int64                `json:"prNumber,omitempty"`
	PRURL    string               `json:"prURL,omitempty"`
	Patch    string               `json:"patch,omitempty"`
	Error    string               `json:"error,omitempty"`
}

func proposeView(res propose.Result) proposeOutput {
	c := res.Report.Count()
	out := proposeOutput{
		Base: res.Base, BaseCommit: res.BaseCommit, Modified: c.Modified, MissingLive: c.MissingLive, Unmanaged: c.Unmanaged,
		Proposals: []proposalOutput{},
	}
	for _, p := range res.Proposals {
		v := proposalOutput{
			Action: string(p.Action), Branch: p.Branch, Objects: p.Objects, Commit: p.Commit, Files: p.Files, Notes: p.Notes,
			PRNumber: p.PRNumber, PRURL: p.PRURL, Patch: p.Patch,
		}
		if p.Err != nil {
			v.Error = p.Err.Error()
		}
		out.Proposals = append(out.Proposals, v)
	}
	return out
}

// writeProposals prints one line per branch: what was done and where.
func writeProposals(out io.Writer, res propose.Result) error {
	var b bytes.Buffer
	c := res.Report.Count()
	fmt.Fprintf(&b, "%d modified, %d missing live, %d unmanaged; base %s @ %.12s\n",
		c.Modified, c.MissingLive, c.Unmanaged, res.Base, res.BaseCommit)
	if len(res.Proposals) == 0 {
		b.WriteString("nothing to propose\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, p := range res.Proposals {
		where := p.PRURL
		switch {
		case p.Patch != "":
			where = p.Patch
		case p.Err != nil:
			where = p.Err.Error()
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Action, p.Branch, where) // Flush reports errors
		for _, n := range p.Notes {
			_, _ = fmt.Fprintf(tw, "\t  not proposed: %s\t\n", n)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := out.Write(b.Bytes())
	return err
}
