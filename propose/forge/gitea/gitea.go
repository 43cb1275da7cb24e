// Package gitea implements forge.Forge with Gitea's SDK
// (code.gitea.io/sdk/gitea).
package gitea

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// Forge is one Gitea repository.
type Forge struct {
	opts        forge.Options
	owner, repo string
	// createWait bounds how long CreatePR waits for Gitea to take in a
	// branch that was just pushed: Gitea records pushes asynchronously.
	createWait time.Duration
}

var _ forge.Forge = (*Forge)(nil)

// New checks o and returns the client; it makes no request.
func New(o forge.Options) (*Forge, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	owner, repo := o.OwnerRepo()
	return &Forge{opts: o, owner: owner, repo: repo, createWait: time.Minute}, nil
}

// Name implements forge.Forge.
func (f *Forge) Name() string { return "gitea" }

// client builds an SDK client bound to ctx with the token read now. The
// version check is skipped: it would cost a request per call.
func (f *Forge) client(ctx context.Context) (*sdk.Client, string, error) {
	token, err := f.opts.Token.Read()
	if err != nil {
		return nil, "", fmt.Errorf("gitea: %w", err)
	}
	c, err := sdk.NewClient(f.opts.URL, sdk.SetToken(token), sdk.SetContext(ctx),
		sdk.SetHTTPClient(f.opts.Client()), sdk.SetGiteaVersion(""))
	if err != nil {
		return nil, "", forge.Wrap("gitea", "connect", 0, err, token)
	}
	return c, token, nil
}

func status(resp *sdk.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// FindOpenPR implements forge.Forge: Gitea cannot filter by head, so the
// open pull requests are listed page by page.
func (f *Forge) FindOpenPR(ctx context.Context, branch string) (*forge.PullRequest, error) {
	c, token, err := f.client(ctx)
	if err != nil {
		return nil, err
	}
	const pageSize = 50
	for page := 1; ; page++ {
		prs, resp, err := c.ListRepoPullRequests(f.owner, f.repo, sdk.ListPullRequestsOptions{
			State: sdk.StateOpen, ListOptions: sdk.ListOptions{Page: page, PageSize: pageSize},
		})
		if err != nil {
			return nil, forge.Wrap("gitea", "find", status(resp), err, token)
		}
		for _, pr := range prs {
			if pr.Head != nil && pr.Head.Ref == branch && f.sameRepo(pr.Head.Repository) {
				return convert(pr), nil
			}
		}
		if len(prs) < pageSize {
			return nil, nil
		}
	}
}

func (f *Forge) sameRepo(r *sdk.Repository) bool {
	return r == nil || r.FullName == "" || r.FullName == f.owner+"/"+f.repo
}

// CreatePR implements forge.Forge. A branch pushed a moment ago may not
// be known to Gitea yet: creation is retried while Gitea says the head
// does not exist.
func (f *Forge) CreatePR(ctx context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	c, token, err := f.client(ctx)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(f.createWait)
	delay := 100 * time.Millisecond
	for {
		created, resp, err := c.CreatePullRequest(f.owner, f.repo, sdk.CreatePullRequestOption{
			Head: pr.Head, Base: pr.Base, Title: pr.Title, Body: pr.Body,
		})
		if err == nil {
			return convert(created), nil
		}
		code := status(resp)
		retry := code == http.StatusNotFound || code == http.StatusUnprocessableEntity
		if !retry || time.Now().After(deadline) {
			return nil, forge.Wrap("gitea", "create", code, err, token)
		}
		if existing, ferr := f.FindOpenPR(ctx, pr.Head); ferr == nil && existing != nil {
			return existing, nil
		}
		select {
		case <-ctx.Done():
			return nil, forge.Wrap("gitea", "create", code, errors.Join(err, ctx.Err()), token)
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// UpdatePR implements forge.Forge.
func (f *Forge) UpdatePR(ctx context.Context, number int64, title, body string) error {
	c, token, err := f.client(ctx)
	if err != nil {
		return err
	}
	_, resp, err := c.EditPullRequest(f.owner, f.repo, number, sdk.EditPullRequestOption{Title: title, Body: &body})
	return forge.Wrap("gitea", "update", status(resp), err, token)
}

// Comment implements forge.Forge.
func (f *Forge) Comment(ctx context.Context, number int64, body string) error {
	c, token, err := f.client(ctx)
	if err != nil {
		return err
	}
	_, resp, err := c.CreateIssueComment(f.owner, f.repo, number, sdk.CreateIssueCommentOption{Body: body})
	return forge.Wrap("gitea", "comment", status(resp), err, token)
}

// ClosePR implements forge.Forge.
func (f *Forge) ClosePR(ctx context.Context, number int64) error {
	c, token, err := f.client(ctx)
	if err != nil {
		return err
	}
	closed := sdk.StateClosed
	_, resp, err := c.EditPullRequest(f.owner, f.repo, number, sdk.EditPullRequestOption{State: &closed})
	return forge.Wrap("gitea", "close", status(resp), err, token)
}

func convert(pr *sdk.PullRequest) *forge.PullRequest {
	out := &forge.PullRequest{Number: pr.Index, URL: pr.HTMLURL, Title: pr.Title, Body: pr.Body}
	if pr.Head != nil {
		out.Head, out.HeadSHA = pr.Head.Ref, pr.Head.Sha
	}
	if pr.Base != nil {
		out.Base = pr.Base.Ref
	}
	return out
}
