// Package gitlab implements forge.Forge with GitLab's client
// (gitlab.com/gitlab-org/api/client-go); pull requests are merge requests.
package gitlab

import (
	"context"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// Forge is one GitLab project.
type Forge struct {
	opts    forge.Options
	project string
}

var _ forge.Forge = (*Forge)(nil)

// New checks o and returns the client; it makes no request. o.URL is the
// web root (https://gitlab.com); o.Repo the project's full path, subgroups
// included.
func New(o forge.Options) (*Forge, error) {
	if o.URL == "" {
		o.URL = "https://gitlab.com"
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Forge{opts: o, project: strings.Trim(o.Repo, "/")}, nil
}

// Name implements forge.Forge.
func (f *Forge) Name() string { return "gitlab" }

// call makes one request for op (see forge.Call).
func (f *Forge) call(op string, do func(*gl.Client) (status int, err error)) error {
	return forge.Call(f.opts, "gitlab", op, func(token string) (*gl.Client, error) {
		return gl.NewClient(token, gl.WithBaseURL(strings.TrimSuffix(f.opts.URL, "/")+"/api/v4"),
			gl.WithHTTPClient(f.opts.Client()), gl.WithoutRetries())
	}, do)
}

// FindOpenPR implements forge.Forge with the source_branch filter.
func (f *Forge) FindOpenPR(ctx context.Context, branch string) (*forge.PullRequest, error) {
	var found *forge.PullRequest
	err := f.call("find", func(c *gl.Client) (int, error) {
		mrs, resp, err := c.MergeRequests.ListProjectMergeRequests(f.project, &gl.ListProjectMergeRequestsOptions{
			State: gl.Ptr("opened"), SourceBranch: gl.Ptr(branch),
		}, gl.WithContext(ctx))
		if err != nil {
			return status(resp), err
		}
		for _, mr := range mrs {
			if mr.SourceBranch == branch && (mr.SourceProjectID == 0 || mr.SourceProjectID == mr.ProjectID) {
				found = convert(mr)
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
	err := f.call("create", func(c *gl.Client) (int, error) {
		mr, resp, err := c.MergeRequests.CreateMergeRequest(f.project, &gl.CreateMergeRequestOptions{
			Title: gl.Ptr(pr.Title), Description: gl.Ptr(pr.Body),
			SourceBranch: gl.Ptr(pr.Head), TargetBranch: gl.Ptr(pr.Base),
		}, gl.WithContext(ctx))
		if err == nil {
			out = convert(&mr.BasicMergeRequest)
		}
		return status(resp), err
	})
	return out, err
}

// UpdatePR implements forge.Forge.
func (f *Forge) UpdatePR(ctx context.Context, number int64, title, body string) error {
	return f.call("update", func(c *gl.Client) (int, error) {
		_, resp, err := c.MergeRequests.UpdateMergeRequest(f.project, number, &gl.UpdateMergeRequestOptions{
			Title: gl.Ptr(title), Description: gl.Ptr(body),
		}, gl.WithContext(ctx))
		return status(resp), err
	})
}

// Comment implements forge.Forge with a merge request note.
func (f *Forge) Comment(ctx context.Context, number int64, body string) error {
	return f.call("comment", func(c *gl.Client) (int, error) {
		_, resp, err := c.Notes.CreateMergeRequestNote(f.project, number, &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
		return status(resp), err
	})
}

// ClosePR implements forge.Forge.
func (f *Forge) ClosePR(ctx context.Context, number int64) error {
	return f.call("close", func(c *gl.Client) (int, error) {
		_, resp, err := c.MergeRequests.UpdateMergeRequest(f.project, number, &gl.UpdateMergeRequestOptions{
			StateEvent: gl.Ptr("close"),
		}, gl.WithContext(ctx))
		return status(resp), err
	})
}

// convert is the pull request a merge request is.
func convert(mr *gl.BasicMergeRequest) *forge.PullRequest {
	return &forge.PullRequest{
		Number: mr.IID, URL: mr.WebURL, Title: mr.Title, Body: mr.Description,
		Head: mr.SourceBranch, Base: mr.TargetBranch, HeadSHA: mr.SHA,
	}
}

// status is the HTTP status of an answer, 0 when there was none.
func status(resp *gl.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}
