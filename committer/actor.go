package committer

import (
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// TrailerChangedBy is the Git trailer that names a person who made the
// changes of a commit in the cluster, from the API server's audit log:
//
//	Changed-By: alice (groups devs, system:authenticated) via kubectl/v1.36.3
const TrailerChangedBy = "Changed-By"

// Actor is who made a change through the API server, as its audit log
// names them. It never holds anything of the request or response bodies.
type Actor struct {
	// User is the authenticated user name.
	User string `json:"user"`
	// Groups are the authenticated user's groups.
	Groups []string `json:"groups,omitempty"`
	// As is the user User impersonated, when the request impersonated one.
	As string `json:"as,omitempty"`
	// UserAgent is the client's user agent, e.g. "kubectl/v1.36.3 (linux/amd64)".
	UserAgent string `json:"userAgent,omitempty"`
	// Verb is the API verb: create, update, patch, delete.
	Verb string `json:"verb,omitempty"`
	// Time is when the API server answered the request.
	Time time.Time `json:"time,omitzero"`
}

// Name is who acted: "alice", or "alice as bob" under impersonation.
func (a *Actor) Name() string {
	if a == nil {
		return ""
	}
	name := token(a.User)
	if as := token(a.As); as != "" {
		name += " as " + as
	}
	return name
}

// Client is the first word of the user agent, "kubectl/v1.36.3": the
// client and its version, without platform details.
func (a *Actor) Client() string {
	if a == nil {
		return ""
	}
	ua, _, _ := strings.Cut(oneLine(a.UserAgent), " ")
	return token(ua)
}

// Short renders "alice via kubectl/v1.36.3", for a commit message's object
// line.
func (a *Actor) Short() string {
	s := a.Name()
	if c := a.Client(); c != "" && s != "" {
		s += " via " + c
	}
	return s
}

// String renders the Changed-By trailer's value:
// "alice (groups devs, system:authenticated) via kubectl/v1.36.3".
func (a *Actor) String() string {
	s := a.Name()
	if s == "" {
		return ""
	}
	var groups []string
	for _, g := range a.Groups {
		if g = oneLine(strings.NewReplacer("(", " ", ")", " ", ",", " ").Replace(g)); g != "" {
			groups = append(groups, g)
		}
	}
	if len(groups) > 0 {
		s += " (groups " + strings.Join(groups, ", ") + ")"
	}
	if c := a.Client(); c != "" {
		s += " via " + c
	}
	return s
}

// ParseActor reads the value of a Changed-By trailer or the actor of an
// object line ("alice via kubectl/v1.36.3") back. It returns nil for an
// empty value.
func ParseActor(s string) *Actor {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	a := &Actor{}
	if i := strings.LastIndex(s, " via "); i >= 0 {
		a.UserAgent = strings.TrimSpace(s[i+len(" via "):])
		s = s[:i]
	}
	if i := strings.Index(s, " (groups "); i >= 0 && strings.HasSuffix(s, ")") {
		for g := range strings.SplitSeq(s[i+len(" (groups "):len(s)-1], ",") {
			if g = strings.TrimSpace(g); g != "" {
				a.Groups = append(a.Groups, g)
			}
		}
		s = s[:i]
	}
	a.User, a.As, _ = strings.Cut(s, " as ")
	return a
}

// sameActor reports whether two actors are the same person for the
// purpose of authorship.
func sameActor(a, b *Actor) bool {
	return a != nil && b != nil && a.User == b.User && a.As == b.As
}

// authorOf returns the person who made every change of a batch, or nil
// when the changes were made by several people or not all are known.
func authorOf(applied []fileChange) *Actor {
	var who *Actor
	for _, fc := range applied {
		a := fc.actor()
		if a == nil || a.Name() == "" || (who != nil && !sameActor(who, a)) {
			return nil
		}
		who = a
	}
	return who
}

// actorSignature signs a commit in the name of the person who made its
// changes. A user name that is an e-mail address is used as such; other
// names get an address under the reserved .invalid domain, so nobody
// mistakes it for a mailbox.
func actorSignature(a *Actor, when time.Time) object.Signature {
	email := token(a.User)
	if !strings.Contains(email, "@") {
		email = strings.NewReplacer(":", ".", "/", ".").Replace(email) + "@kubernetes.invalid"
	}
	return object.Signature{Name: a.Name(), Email: email, When: when}
}

// trailers renders one Changed-By trailer per distinct actor, in order of
// their names; "" when no change has one.
func trailers(lines []messageLine) string {
	var values []string
	for _, l := range lines {
		if v := l.attribution.actor().String(); v != "" && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return ""
	}
	slices.Sort(values)
	var b strings.Builder
	b.WriteByte('\n')
	for _, v := range values {
		b.WriteString(TrailerChangedBy + ": " + v + "\n")
	}
	return b.String()
}

// ChangedBy returns the actors of a commit message's Changed-By trailers.
func ChangedBy(message string) []*Actor {
	var out []*Actor
	for line := range strings.SplitSeq(message, "\n") {
		if v, ok := strings.CutPrefix(line, TrailerChangedBy+": "); ok {
			if a := ParseActor(v); a != nil {
				out = append(out, a)
			}
		}
	}
	return out
}

// token keeps a name one word, with nothing a reader of a message could
// take for its structure: control characters and spaces become "_",
// parentheses and commas go.
func token(s string) string {
	s = strings.ReplaceAll(oneLine(s), " ", "_")
	return strings.NewReplacer("(", "", ")", "", ",", "").Replace(s)
}

// ParseObjectLine reads an object line of a backup commit message,
// "changed Deployment.apps shop/web (kubectl-edit Update 2026-…Z, by alice
// via kubectl/v1.36.3)": its change, its object's label and, when the line
// names one, the person. ok is false for any other line.
func ParseObjectLine(line string) (change, label string, by *Actor, ok bool) {
	line = strings.TrimSpace(line)
	change, rest, found := strings.Cut(line, " ")
	if !found || (change != kindAdded.String() && change != kindChanged.String() && change != kindRemoved.String()) {
		return "", "", nil, false
	}
	label = strings.TrimSpace(rest)
	if !strings.HasSuffix(label, ")") {
		return change, label, nil, true
	}
	i := strings.LastIndex(label, " (")
	if i < 0 {
		return change, label, nil, true
	}
	attr := label[i+2 : len(label)-1]
	label = label[:i]
	if j := strings.LastIndex(attr, ", by "); j >= 0 {
		by = ParseActor(attr[j+len(", by "):])
	} else if s, cut := strings.CutPrefix(attr, "by "); cut {
		by = ParseActor(s)
	}
	return change, label, by, true
}
