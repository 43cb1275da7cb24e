package declared

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Source is a parsed --declared value: a local directory, or a Git URL with
// an optional ref.
type Source struct {
	// Dir is a local directory; empty for a Git URL.
	Dir string
	// URL is a Git URL (https://, http://, ssh://, git://, file:// or
	// user@host:path).
	URL string
	// Ref is the branch, tag or full commit hash written after "@"; empty
	// for the remote's default branch.
	Ref string
}

// ParseSource parses "<dir>" or "<git URL>[@ref]". A value is a Git URL
// when it has a scheme (https://, file://, ...) or the scp form
// user@host:path; anything else is a directory.
func ParseSource(s string) (Source, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Source{}, &SourceError{Err: ErrNoSource}
	}
	if !gitremote.IsRemote(s) {
		return Source{Dir: s}, nil
	}
	rest := 0 // where the repository path starts: "@" before it is userinfo
	if m := gitremote.Scheme(s); m != "" {
		rest = len(m)
		if i := strings.IndexByte(s[rest:], '/'); i >= 0 {
			rest += i
		} else {
			rest = len(s)
		}
	} else {
		rest = strings.IndexByte(s, ':')
	}
	src := Source{URL: s}
	if i := strings.LastIndexByte(s[rest:], '@'); i >= 0 {
		src.URL, src.Ref = s[:rest+i], s[rest+i+1:]
		if src.Ref == "" {
			return Source{}, &SourceError{Value: gitremote.Scrub(s), Err: errors.New(`empty ref after "@"`)}
		}
	}
	if gitremote.HasScheme(src.URL) {
		u, err := url.Parse(src.URL)
		if err != nil {
			return Source{}, &SourceError{Value: gitremote.Scrub(src.URL), Err: errors.New("not a URL")}
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "ssh", "git", "file":
		default:
			return Source{}, &SourceError{Value: gitremote.Scrub(src.URL), Err: fmt.Errorf("unsupported protocol %q", u.Scheme)}
		}
	}
	return src, nil
}

// IsGit reports whether the source is a Git URL.
func (s Source) IsGit() bool { return s.URL != "" }

// String renders the source as given, without credentials.
func (s Source) String() string {
	if !s.IsGit() {
		return s.Dir
	}
	if s.Ref == "" {
		return gitremote.Scrub(s.URL)
	}
	return gitremote.Scrub(s.URL) + "@" + s.Ref
}
