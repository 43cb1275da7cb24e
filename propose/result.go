package propose

import (
	"errors"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Action is what a run did with one branch.
type Action string

// Actions.
const (
	// Opened: a new pull request.
	Opened Action = "opened"
	// Updated: the branch was replaced or the pull request's text changed.
	Updated Action = "updated"
	// Unchanged: the branch and its open pull request already say it all.
	Unchanged Action = "unchanged"
	// Deferred: --max-prs was reached; the next run opens it.
	Deferred Action = "deferred"
	// Written: no forge; the branch and a patch file were written.
	Written Action = "written"
	// Resolved: the drift went away; its pull request got a comment (and
	// was closed unless CommentOnly) and the branch was deleted.
	Resolved Action = "resolved"
	// Empty: nothing of the drift could be written to the repository (see
	// the notes); no branch.
	Empty Action = "empty"
	// Failed: see Err.
	Failed Action = "failed"
)

// Result is what a run did.
type Result struct {
	// Report is the audit's report.
	Report *findings.Report
	// Base and BaseCommit are the branch and commit proposals build on.
	Base, BaseCommit string
	// Proposals are the branches, in a stable order.
	Proposals []Proposal
}

// Proposal is one branch and its pull request.
type Proposal struct {
	Branch  string
	Objects []findings.ObjectRef
	Action  Action
	// Commit is the branch's commit.
	Commit string
	// Files are the repository files the commit changes.
	Files []string
	// Notes say what of the drift could not be written to the repository,
	// and why; they are in the pull request's body too.
	Notes []string
	// PR is the pull request's number and URL, when there is one.
	PRNumber int64
	PRURL    string
	// Patch is the patch file written when there is no forge.
	Patch string
	// Err is why the branch failed (Action Failed).
	Err error `json:"-"`
}

// Count tallies proposals by action.
func (r *Result) Count() map[Action]int {
	out := map[Action]int{}
	for _, p := range r.Proposals {
		out[p.Action]++
	}
	return out
}

// ErrIncomplete is returned, with the Result, when some branches
// failed; the others were handled.
var ErrIncomplete = errors.New("some proposals failed")
