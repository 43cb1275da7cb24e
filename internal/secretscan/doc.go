// Package secretscan proves that no secret value leaves the cluster in
// plaintext: tests make their secret values with Canary (unmistakable,
// registered process-wide), and every artifact a test leaves — files,
// captured logs and the entire history of every Git repository, unreachable
// objects and reflogs included — is searched for every registered value,
// plain or in any base64 spelling (Secret data is base64 in manifests).
//
// Guard arranges the search for a test: when the test ends, before its
// temporary directories are removed, everything under them is scanned, and
// each hit fails the test naming the artifact (and, in Git, the object,
// commit and path). The demo program uses Tree directly.
package secretscan
