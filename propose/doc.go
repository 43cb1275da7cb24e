// Package propose turns drift into pull requests against the declared
// repo: the emergency change made live at 3am becomes a reviewed change in
// Git instead of a silent push or a forgotten hot-fix.
//
// [Run] clones the declared repository's base branch (package gitrepo),
// audits the cluster against the clone (package audit), reads each
// drifted object once more and edits the file that declares each drifted
// field in place (package edit: only those fields change; comments, key
// order and formatting elsewhere stay). A field set by a kustomize overlay
// is edited where the overlay sets it (an images or replicas entry, a
// strategic-merge patch file); where that cannot be told, the pull request
// says so instead of guessing. Unmanaged objects are adopted as new files
// when asked; MissingLive objects are listed, never deleted from Git.
//
// Each drifted object gets a branch with a stable name (or one branch per
// run with Group), one commit with the attribution from managedFields, and
// a pull request whose body holds the diff and the policy findings on
// those objects. Runs are idempotent: the same drift leaves the branch and
// its pull request as they are, changed drift replaces the branch (with a
// lease on what it was, on propose's own branches only) and updates the
// open pull request, and drift that went away gets a comment and its pull
// request closed. At most MaxPRs pull requests are opened per run.
package propose
