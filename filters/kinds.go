package filters

import (
	"errors"
	"strings"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// coreGroup names the core (empty) API group in a kind pattern.
const coreGroup = "core"

// kindPattern is one compiled kind pattern: "kind", "kind.group" or "*.group".
type kindPattern struct {
	raw      string // as the user wrote it, for messages
	name     string // kind or plural resource name; may hold '*'
	group    string // lowercase; "" is the core group
	anyGroup bool   // no group given: match the name in every group
}

// parseKindPattern compiles s. The first dot separates the kind from the
// group: kinds never hold dots, groups usually do.
func parseKindPattern(s string) (kindPattern, error) {
	p := kindPattern{raw: s}
	s = strings.TrimSpace(s)
	if s == "" {
		return p, errors.New("empty pattern")
	}
	name, group, dotted := strings.Cut(s, ".")
	if name == "" {
		return p, errors.New("no kind before the dot (use *.group for every kind of a group)")
	}
	if strings.ContainsAny(name, `?[]\/ `) {
		return p, errors.New("only * is a wildcard in a kind")
	}
	p.name = name
	p.anyGroup = !dotted
	if dotted {
		if group == "" {
			return p, errors.New("no group after the dot (use kind.core for the core group)")
		}
		group = strings.ToLower(group)
		if group == coreGroup {
			group = ""
		}
		p.group = group
	}
	return p, nil
}

// matches reports whether r falls under the pattern.
func (p kindPattern) matches(r watcher.Resource) bool {
	if !p.anyGroup && !strings.EqualFold(p.group, r.GVR.Group) {
		return false
	}
	return globFold(p.name, r.Kind) || globFold(p.name, r.GVR.Resource)
}

// matchesAny reports whether r falls under any of ps.
func matchesAny(ps []kindPattern, r watcher.Resource) bool {
	for _, p := range ps {
		if p.matches(r) {
			return true
		}
	}
	return false
}

// globFold reports whether s matches pattern, ASCII case-insensitively, where
// '*' in pattern matches any run of bytes. It does not allocate.
func globFold(pattern, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for sx < len(s) {
		if px < len(pattern) {
			if c := pattern[px]; c == '*' {
				starPx, starSx = px, sx
				px++
				continue
			} else if lowerASCII(c) == lowerASCII(s[sx]) {
				px++
				sx++
				continue
			}
		}
		if starPx < 0 {
			return false
		}
		// Let the last star swallow one more byte and retry from there.
		starSx++
		px, sx = starPx+1, starSx
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
