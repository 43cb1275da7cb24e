// Package gitlab implements forge.Forge with GitLab's client
// (gitlab.com/gitlab-org/api/client-go); pull requests are merge requests.
package gitlab

import (
	"context"
	"fmt"
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

func (f *Forge) client() (*gl.Client, string, error) {
	token, err := f.opts.Token.Read()
	if err != nil {
		return nil, "", fmt.Errorf("gitlab: %w", err)
	}
	c, err := gl.NewClient(token, gl.WithBaseURL(strings.TrimSuffix(f.opts.URL, "/")+"/api/v4"),
		gl.WithHTTPClient(f.opts.Client()), gl.WithoutRetries())
	if err != nil {
		return nil, "", forge.Wrap("gitlab", "connect", 0, err, token)
	}
	return c, token, nil
}

func status(resp *gl.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// FindOpenPR implements forge.Forge with the source_branch filter.
func (f *Forge) FindOpenPR(ctx context.Context, branch string) (*forge.PullRequest, error) {
	c, token, err := f.client()
	if err != nil {
		return nil, err
	}
	mrs, resp, err := c.MergeRequests.ListProjectMergeRequests(f.project, &gl.ListProjectMergeRequestsOptions{
		State: gl.Ptr("opened"), SourceBranch: gl.Ptr(branch),
	}, gl.WithContext(ctx))
	if err != nil {
		return nil, forge.Wrap("gitlab", "find", status(resp), err, token)
	}
	for _, mr := range mrs {
		if mr.SourceBranch == branch && (mr.SourceProjectID == 0 || mr.SourceProjectID == mr.ProjectID) {
			return &forge.PullRequest{
				Number: mr.IID, URL: mr.WebURL, Title: mr.Title, Body: mr.Description,
				Head: mr.SourceBranch, Base: mr.TargetBranch, HeadSHA: mr.SHA,
			}, nil
		}
	}
	return nil, nil
}

// CreatePR implements forge.Forge.
func (f *Forge) CreatePR(ctx context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	c, token, err := f.client()
	if err != nil {
		return nil, err
	}
	mr, resp, err := c.MergeRequests.CreateMergeRequest(f.project, &gl.CreateMergeRequestOptions{
		Title: gl.Ptr(pr.Title), Description: gl.Ptr(pr.Body),
		SourceBranch: gl.Ptr(pr.Head), TargetBranch: gl.Ptr(pr.Base),
	}, gl.WithContext(ctx))
	if err != nil {
		return nil, forge.Wrap("gitlab", "create", status(resp), err, token)
	}
	return &forge.PullRequest{
		Number: mr.IID, URL: mr.WebURL, Title: mr.Title, Body: mr.Description,
		Head: mr.SourceBranch, Base: mr.TargetBranch, HeadSHA: mr.SHA,
	}, nil
}

// UpdatePR implements forge.Forge.
func (f *Forge) UpdatePR(ctx context.Context, number int64, title, body string) error {
	c, token, err := f.client()
	if err != nil {
		return err
	}
	_, resp, err := c.MergeRequests.UpdateMergeRequest(f.project, number, &gl.UpdateMergeRequestOptions{
		Title: gl.Ptr(title), Description: gl.Ptr(body),
	}, gl.WithContext(ctx))
	return forge.Wrap("gitlab", "update", status(resp), err, token)
}

// Comment implements forge.Forge with a merge request note.
func (f *Forge) Comment(ctx context.Context, number int64, body string) error {
	c, token, err := f.client()
	if err != nil {
		return err
	}
	_, resp, err := c.Notes.CreateMergeRequestNote(f.project, number, &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	return forge.Wrap("gitlab", "comment", status(resp), err, token)
}

// ClosePR implements forge.Forge.
func (f *Forge) ClosePR(ctx context.Context, number int64) error {
	c, token, err := f.client()
	if err != nil {
		return err
	}
	_, resp, err := c.MergeRequests.UpdateMergeRequest(f.project, number, &gl.UpdateMergeRequestOptions{
		StateEvent: gl.Ptr("close"),
	}, gl.WithContext(ctx))
	return forge.Wrap("gitlab", "close", status(resp), err, token)
}
