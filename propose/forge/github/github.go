// Package github implements forge.Forge with go-github
// (github.com/google/go-github).
package github

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v84/github"

	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// DefaultURL is github.com's API.
const DefaultURL = "https://api.github.com/"

// Forge is one GitHub repository.
type Forge struct {
	opts        forge.Options
	owner, repo string
	base        *url.URL
}

var _ forge.Forge = (*Forge)(nil)

// New checks o and returns the client; it makes no request. o.URL is the
// API root: https://api.github.com/ or https://HOST/api/v3/ for GitHub
// Enterprise Server.
func New(o forge.Options) (*Forge, error) {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	base, err := url.Parse(strings.TrimSuffix(o.URL, "/") + "/")
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	owner, repo := o.OwnerRepo()
	if strings.Contains(owner, "/") {
		return nil, fmt.Errorf("github: repository %q is not owner/name", o.Repo)
	}
	return &Forge{opts: o, owner: owner, repo: repo, base: base}, nil
}

// APIURL is the API root for a web root: api.github.com for github.com,
// /api/v3/ on any other host (GitHub Enterprise Server).
func APIURL(webRoot string) string {
	u, err := url.Parse(webRoot)
	if err != nil || u.Hostname() == "github.com" || u.Hostname() == "www.github.com" {
		return DefaultURL
	}
	return strings.TrimSuffix(webRoot, "/") + "/api/v3/"
}

// Name implements forge.Forge.
func (f *Forge) Name() string { return "github" }

// call makes one request for op (see forge.Call).
func (f *Forge) call(op string, do func(*gh.Client) (status int, err error)) error {
	return forge.Call(f.opts, "github", op, func(token string) (*gh.Client, error) {
		c := gh.NewClient(f.opts.Client()).WithAuthToken(token)
		c.BaseURL = f.base
		return c, nil
	}, do)
}

// FindOpenPR implements forge.Forge with the head filter of the list
// endpoint (owner:branch).
func (f *Forge) FindOpenPR(ctx context.Context, branch string) (*forge.PullRequest, error) {
	var found *forge.PullRequest
	err := f.call("find", func(c *gh.Client) (int, error) {
		prs, resp, err := c.PullRequests.List(ctx, f.owner, f.repo, &gh.PullRequestListOptions{
			State: "open", Head: f.owner + ":" + branch, ListOptions: gh.ListOptions{PerPage: 10},
		})
		if err != nil {
			return status(resp), err
		}
		for _, pr := range prs {
			if pr.GetHead().GetRef() == branch {
				found = convert(pr)
				break
			}
		}
		return status(resp), nil
	})
	return found, err
}

// CreatePR implements forge.Forge.
func (f *Forge) CreatePR(ctx context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	var out *forge.PullRequest
	err := f.call("create", func(c *gh.Client) (int, error) {
		created, resp, err := c.PullRequests.Create(ctx, f.owner, f.repo, &gh.NewPullRequest{
			Title: gh.Ptr(pr.Title), Head: gh.Ptr(pr.Head), Base: gh.Ptr(pr.Base), Body: gh.Ptr(pr.Body),
		})
		if err == nil {
			out = convert(created)
		}
		return status(resp), err
	})
	return out, err
}

// UpdatePR implements forge.Forge.
func (f *Forge) UpdatePR(ctx context.Context, number int64, title, body string) error {
	return f.call("update", func(c *gh.Client) (int, error) {
		_, resp, err := c.PullRequests.Edit(ctx, f.owner, f.repo, int(number), &gh.PullRequest{Title: gh.Ptr(title), Body: gh.Ptr(body)})
		return status(resp), err
	})
}

// Comment implements forge.Forge: pull request comments are issue
// comments on GitHub.
func (f *Forge) Comment(ctx context.Context, number int64, body string) error {
	return f.call("comment", func(c *gh.Client) (int, error) {
		_, resp, err := c.Issues.CreateComment(ctx, f.owner, f.repo, int(number), &gh.IssueComment{Body: gh.Ptr(body)})
		return status(resp), err
	})
}

// ClosePR implements forge.Forge.
func (f *Forge) ClosePR(ctx context.Context, number int64) error {
	return f.call("close", func(c *gh.Client) (int, error) {
		_, resp, err := c.PullRequests.Edit(ctx, f.owner, f.repo, int(number), &gh.PullRequest{State: gh.Ptr("closed")})
		return status(resp), err
	})
}

func convert(pr *gh.PullRequest) *forge.PullRequest {
	return &forge.PullRequest{
		Number: int64(pr.GetNumber()), URL: pr.GetHTMLURL(), Title: pr.GetTitle(), Body: pr.GetBody(),
		Head: pr.GetHead().GetRef(), Base: pr.GetBase().GetRef(), HeadSHA: pr.GetHead().GetSHA(),
	}
}

// status is the HTTP status of an answer, 0 when there was none.
func status(resp *gh.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}
