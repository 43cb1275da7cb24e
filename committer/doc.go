// Package committer writes the backup branch with go-git: one commit per
// batch, messages that list what changed with attribution, and pushes with
// retry and backoff that never force-push.
//
// A Committer owns one subtree (Options.Prefix, usually the cluster name)
// of one branch. Open validates everything up front: options, URL,
// credentials, that the repository path is writable and that the remote
// accepts pushes. Commit builds each commit directly in object storage, so
// its cost follows the size of the batch rather than of the branch; Files
// and BlobHash let a restarted recorder diff the cluster against the tip.
// Push sends the branch; when another recorder pushed first it rebases its
// own commits by replacing only its subtree on top of the remote tip.
// RunPusher and Notify push in the background with exponential backoff, so
// a remote that is down only delays commits.
//
// Credentials come from files or the environment, are re-read before each
// remote operation, and never appear in an error, a log line or the clone's
// configuration.
package committer
