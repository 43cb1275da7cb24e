package main

import (
	"context"
	"fmt"
	"log/slog"

	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/operate"
	"github.com/clusterscribe/clusterscribe/propose"
	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// runProposer opens and updates pull requests after each audit of `run`,
// with the same settings `clusterscribe propose` takes as flags.
type runProposer struct {
	rest *rest.Config
	cfg  propose.Config
	log  *slog.Logger
}

func newRunProposer(restCfg *rest.Config, cfg *operate.Config, log *slog.Logger) (operate.Proposer, error) {
	acfg, err := cfg.AuditConfig(log)
	if err != nil {
		return nil, err
	}
	src, err := declared.ParseSource(acfg.Declared.Source)
	if err != nil {
		return nil, err
	}
	p := cfg.Propose
	opts := &proposeOptions{
		forgeKind: p.Forge,
		forgeURL:  p.ForgeURL,
		forgeRepo: p.ForgeRepo,
		token:     forge.Token{File: p.TokenFile, Env: p.TokenEnv},
	}
	if opts.forgeKind == "" {
		opts.forgeKind = "none"
	}
	if acfg.Declared.Auth.TokenFile == "" && acfg.Declared.Auth.TokenEnv == "" {
		acfg.Declared.Auth.TokenFile, acfg.Declared.Auth.TokenEnv = p.TokenFile, p.TokenEnv
	}
	f, err := opts.forge(src)
	if err != nil {
		return nil, err
	}
	return &runProposer{rest: restCfg, log: log, cfg: propose.Config{
		Audit:          acfg,
		Forge:          f,
		BranchPrefix:   p.BranchPrefix,
		Group:          p.Group,
		MaxPRs:         p.MaxPRs,
		AdoptUnmanaged: p.AdoptUnmanaged,
		AdoptDir:       p.AdoptDir,
		PatchDir:       p.PatchDir,
		Logger:         log,
	}}, nil
}

// Propose runs propose. It audits again rather than reusing rep: the
// proposals need the declared repo checked out at the base they edit.
func (r *runProposer) Propose(ctx context.Context, _ *findings.Report) error {
	res, err := propose.Run(ctx, r.rest, r.cfg)
	for _, p := range res.Proposals {
		r.log.Info("proposal", "branch", p.Branch, "action", p.Action, "pr", p.PRURL, "patch", p.Patch)
	}
	if err != nil {
		return fmt.Errorf("propose: %w", err)
	}
	return nil
}
