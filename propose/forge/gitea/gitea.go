// Package gitea implements forge.Forge with Gitea's SDK
// (code.gitea.io/sdk/gitea).
package gitea

import (
	"context"
	"errors"
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

// call makes one request for op with an SDK client bound to ctx (see
// forge.Call). The version check is skipped: it would cost a request per
// call.
func (f *Forge) call(ctx context.Context, op string, do func(*sdk.Client) (status int, err error)) error {
	return forge.Call(f.opts, "gitea", op, func(token string) (*sdk.Client, error) {
		return sdk.NewClient(f.opts.URL, sdk.SetToken(token), sdk.SetContext(ctx),
			sdk.SetHTTPClient(f.opts.Client()), sdk.SetGiteaVersion(""))
	}, do)
}

// FindOpenPR implements forge.Forge: Gitea cannot filter by head, so the
// open pull requests are listed page by page.
func (f *Forge) FindOpenPR(ctx context.Context, branch string) (*forge.PullRequest, error) {
	var found *forge.PullRequest
	err := f.call(ctx, "find", func(c *sdk.Client) (int, error) {
		const pageSize = 50
		for page := 1; ; page++ {
			prs, resp, err := c.ListRepoPullRequests(f.owner, f.repo, sdk.ListPullRequestsOptions{
				State: sdk.StateOpen, ListOptions: sdk.ListOptions{Page: page, PageSize: pageSize},
			})
			if err != nil {
				return status(resp), err
			}
			for _, pr := range prs {
				if pr.Head != nil && pr.Head.Ref == branch && f.sameRepo(pr.Head.Repository) {
					found = convert(pr)
					return status(resp), nil
				}
			}
			if len(prs) < pageSize {
				return status(resp), nil
			}
		}
	})
	return found, err
}

func (f *Forge) sameRepo(r *sdk.Repository) bool {
	return r == nil || r.FullName == "" || r.FullName == f.owner+"/"+f.repo
}

// CreatePR implements forge.Forge. A branch pushed a moment ago may not
// be known to Gitea yet: creation is retried while Gitea says the head
// does not exist.
func (f *Forge) CreatePR(ctx context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	var out *forge.PullRequest
	err := f.call(ctx, "create", func(c *sdk.Client) (int, error) {
		deadline := time.Now().Add(f.createWait)
		delay := 100 * time.Millisecond
		for {
			created, resp, err := c.CreatePullRequest(f.owner, f.repo, sdk.CreatePullRequestOption{
				Head: pr.Head, Base: pr.Base, Title: pr.Title, Body: pr.Body,
			})
			code := status(resp)
			if err == nil {
				out = convert(created)
				return code, nil
			}
			retry := code == http.StatusNotFound || code == http.StatusUnprocessableEntity
			if !retry || time.Now().After(deadline) {
				return code, err
			}
			if existing, ferr := f.FindOpenPR(ctx, pr.Head); ferr == nil && existing != nil {
				out = existing
				return code, nil
			}
			select {
			case <-ctx.Done():
				return code, errors.Join(err, ctx.Err())
			case <-time.After(delay):
			}
			delay = min(2*delay, 2*time.Second)
		}
	})
	return out, err
}

// UpdatePR implements forge.Forge.
func (f *Forge) UpdatePR(ctx context.Context, number int64, title, body string) error {
	return f.call(ctx, "update", func(c *sdk.Client) (int, error) {
		_, resp, err := c.EditPullRequest(f.owner, f.repo, number, sdk.EditPullRequestOption{Title: title, Body: &body})
		return status(resp), err
	})
}

// Comment implements forge.Forge.
func (f *Forge) Comment(ctx context.Context, number int64, body string) error {
	return f.call(ctx, "comment", func(c *sdk.Client) (int, error) {
		_, resp, err := c.CreateIssueComment(f.owner, f.repo, number, sdk.CreateIssueCommentOption{Body: body})
		return status(resp), err
	})
}

// ClosePR implements forge.Forge.
func (f *Forge) ClosePR(ctx context.Context, number int64) error {
	closed := sdk.StateClosed
	return f.call(ctx, "close", func(c *sdk.Client) (int, error) {
		_, resp, err := c.EditPullRequest(f.owner, f.repo, number, sdk.EditPullRequestOption{State: &closed})
		return status(resp), err
	})
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

// status is the HTTP status of an answer, 0 when there was none.
func status(resp *sdk.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}
