package main

import (
	"context"
	"fmt"
	"log/slog"

	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/operate"
	"github.com/clusterscribe/clusterscribe/propose"
)

// runProposer opens and updates pull requests after each audit of `run`,
// with the same settings `clusterscribe propose` takes as flags.
type runProposer struct {
	rest *rest.Config
	cfg  propose.Config
	log  *slog.Logger
}

func newRunProposer(restCfg *rest.Config, cfg *operate.Config, log *slog.Logger) (operate.Proposer, error) {
	p := cfg.Propose.Options
	if p.Forge == "" {
		p.Forge = "none"
	}
	pcfg, err := proposeConfig(cfg.Shared, cfg.Audit.Options, p)
	if err != nil {
		return nil, err
	}
	pcfg.Audit.Logger, pcfg.Logger = log, log
	return &runProposer{rest: restCfg, log: log, cfg: pcfg}, nil
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
