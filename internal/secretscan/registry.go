package secretscan

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Prefix starts every canary. Any text holding it, in any spelling, holds
// a secret value, registered in this process or not.
const Prefix = "csx-canary-"

// MinLength is the shortest value Register accepts: the base64 forms of a
// shorter one are short enough to occur by chance in encrypted data.
const MinLength = 8

// value is one registered secret.
type value struct {
	// label says where the value was made, for reports: never the value.
	label string
	// canary is set for values that start with Prefix.
	canary bool
	forms  []form
}

// form is one spelling of a value searched for.
type form struct {
	name   string
	needle []byte
}

var registry struct {
	mu     sync.RWMutex
	values []value
	seen   map[string]bool
}

// prefixForms are the spellings of Prefix: every canary's spelling in the
// same form starts with (or contains) one of them.
var prefixForms = spellings(Prefix)

// Canary returns a new secret value, "csx-canary-" and 24 random hex
// digits, and registers it. Its alphabet survives JSON and YAML quoting
// unchanged, so a plain search finds it in any serialization.
func Canary() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("secretscan: random canary: %v", err))
	}
	v := Prefix + hex.EncodeToString(b)
	add(v, caller())
	return v
}

// Register adds values the test did not make with Canary (a token a
// server issued, a credential in a fixture) to the values searched for.
// It panics on a value shorter than MinLength.
func Register(values ...string) {
	at := caller()
	for _, v := range values {
		if len(v) < MinLength {
			panic(fmt.Sprintf("secretscan: a registered value needs at least %d characters (registered at %s)", MinLength, at))
		}
		add(v, at)
	}
}

func add(v, at string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.seen == nil {
		registry.seen = map[string]bool{}
	}
	if registry.seen[v] {
		return
	}
	registry.seen[v] = true
	n := len(registry.values) + 1
	registry.values = append(registry.values, value{
		label:  fmt.Sprintf("secret #%d (registered at %s)", n, at),
		canary: strings.HasPrefix(v, Prefix),
		forms:  spellings(v),
	})
}

// registered returns a snapshot of the registry.
func registered() []value {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return registry.values
}

// caller is the file:line that called the exported function.
func caller() string {
	_, file, line, ok := runtime.Caller(2)
	if !ok {
		return "unknown"
	}
	return fmt.Sprintf("%s:%d", filepath.Join(filepath.Base(filepath.Dir(file)), filepath.Base(file)), line)
}

// spellings are the plain value and every base64 spelling of it: standard
// and URL alphabets, at each of the three byte offsets the value can take
// inside a longer encoded text. For an offset, only the characters that
// depend on the value's bytes alone are kept, so the needle is found
// whatever surrounds the value and whether or not the encoding is padded.
func spellings(v string) []form {
	out := []form{{name: "plain", needle: []byte(v)}}
	n := len(v)
	for _, enc := range []struct {
		name string
		enc  *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
		for shift := range 3 {
			src := append(make([]byte, shift), v...)
			full := enc.enc.EncodeToString(src)
			start := (8*shift + 5) / 6 // first character free of the leading bytes
			end := 8 * (shift + n) / 6 // last character free of what follows
			needle := []byte(full[start:end])
			name := enc.name
			if shift > 0 {
				name = fmt.Sprintf("%s at offset %d", enc.name, shift)
			}
			if dup := func() bool {
				for _, f := range out {
					if bytes.Equal(f.needle, needle) {
						return true
					}
				}
				return false
			}(); !dup {
				out = append(out, form{name: name, needle: needle})
			}
		}
	}
	return out
}
