// Package gitrepo is the Git side of propose, with go-git: a checkout of
// the declared repository's base branch, commits built directly in object
// storage on top of it (the checkout is never touched), and pushes of
// propose's own branches only — a new branch is created, an existing one
// is replaced with a lease on the commit it was fetched at, so a branch
// someone else moved is refused rather than overwritten.
//
// Credentials come from gitremote.Auth (a token file or variable for
// https, a key and known_hosts for ssh), are read before each remote
// operation and never appear in an error.
package gitrepo
