// Package gitremote is where clusterscribe tells a Git remote from a local
// path and keeps credentials out of what it prints: the one definition of
// a URL's scheme, the scp form user@host:path, and the scrubbing of
// userinfo from any text.
package gitremote

import (
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
