// Package gitremote is the one way clusterscribe reaches a Git remote:
// it tells a remote from a local path, parses its URL (moving any userinfo
// out of it), checks credentials against the protocol (a token needs
// http(s), ssh settings need ssh, a CA file needs https, ssh needs a key or
// an agent), reads tokens from a file or a variable, builds the go-git auth
// method, and keeps secrets and userinfo out of every message. record's
// committer, audit's declared repository, restore's backup and propose's
// pull requests all resolve their remote here (Resolve, or Credentials for
// a long-lived clone).
//
// Every operation that talks to a remote lives here too, on an Access:
// Clone (shallow, single-branch, mirror), CloneAt (a branch, tag or
// commit), Fetch, Push (with a requirement or a lease) and ListPushRefs.
// Their failures are an Error naming the operation and the remote and
// classed the same way for every command: ErrUnreachable, ErrAuthRejected,
// ErrRefNotFound, ErrRefMoved or ErrRefused.
package gitremote

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

var (
	schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	// scpLikeRE matches user@host:path and host:path: the host part has no
	// slash, and a path follows the colon.
	scpLikeRE = regexp.MustCompile(`^(?:[^@/\s]+@)?[^:/\s]+:[^\s]`)
	// userinfoRE finds the userinfo of any URL inside a text.
	userinfoRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]*@`)
)

// Scheme returns the "scheme://" that s starts with, or "".
func Scheme(s string) string { return schemeRE.FindString(s) }

// HasScheme reports whether s starts with "scheme://".
func HasScheme(s string) bool { return schemeRE.MatchString(s) }

// IsRemote reports whether s names a remote, by URL or in the scp form
// user@host:path, rather than a local path (which starts with / or ., or
// has no colon before its first slash).
func IsRemote(s string) bool {
	if HasScheme(s) {
		return true
	}
	return !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, ".") && scpLikeRE.MatchString(s)
}

// Scrub removes the userinfo (user, password, token) of every URL in s.
func Scrub(s string) string { return userinfoRE.ReplaceAllString(s, "$1") }

// ErrEmptySecret is returned by ReadSecret for an empty file or an unset
// or empty variable.
var ErrEmptySecret = errors.New("empty")

// ReadSecret reads a token or password from file, else from the
// environment variable env, trimmed of surrounding space; "" when neither
// is given. The error names the file or variable, never the value.
func ReadSecret(file, env string) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read token file: %w", err)
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("token file %s is %w", file, ErrEmptySecret)
	case env != "":
		if s := strings.TrimSpace(os.Getenv(env)); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("token variable %s is unset or %w", env, ErrEmptySecret)
	}
	return "", nil
}
