package serializer

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SecretMode says what Render does with Secrets.
type SecretMode string

const (
	// SecretsRedact keeps every key of a Secret's data and replaces each value
	// with a marker that changes when the value changes (see Render).
	SecretsRedact SecretMode = "redact"
	// SecretsEncrypt writes Secrets as SOPS files encrypted to age recipients.
	SecretsEncrypt SecretMode = "encrypt"
	// SecretsOmit leaves Secrets out: Render returns nil.
	SecretsOmit SecretMode = "omit"
)

// Options configure a Serializer.
type Options struct {
	// Secrets is the Secret mode; empty means SecretsRedact.
	Secrets SecretMode
	// AgeRecipients are the age X25519 recipients ("age1...") Secrets are
	// encrypted to; required in encrypt mode.
	AgeRecipients []string
	// DisableRules names default rules to switch off (RuleAutoscaledReplicas
	// included); an unknown name is an error from New.
	DisableRules []string
	// ExtraRules are user rules, run after the default ones (see ParseRule).
	ExtraRules []Rule
	// Autoscaled reports whether an autoscaler (HPA) targets the object; if
	// so its spec.replicas is dropped. nil means nothing is autoscaled.
	Autoscaled func(gk schema.GroupKind, namespace, name string) bool
}

// Serializer normalizes objects and renders them as canonical YAML. It is
// immutable once built and safe for concurrent use.
type Serializer struct {
	rules      []compiledRule
	autoscaled func(gk schema.GroupKind, namespace, name string) bool
	secrets    SecretMode
	recipients []namedRecipient // sorted by name
	rand       io.Reader
	now        func() time.Time
}

// namedRecipient is an age recipient with the string it was parsed from.
type namedRecipient struct {
	name      string
	recipient age.Recipient
}

// New checks opts and builds a Serializer.
func New(opts Options) (*Serializer, error) {
	s := &Serializer{secrets: opts.Secrets, rand: rand.Reader, now: time.Now}
	switch s.secrets {
	case "":
		s.secrets = SecretsRedact
	case SecretsRedact, SecretsEncrypt, SecretsOmit:
	default:
		return nil, fmt.Errorf("new serializer: unknown secret mode %q", opts.Secrets)
	}
	for _, r := range opts.AgeRecipients {
		r = strings.TrimSpace(r)
		rcpt, err := age.ParseX25519Recipient(r)
		if err != nil {
			return nil, fmt.Errorf("new serializer: age recipient %q: %w", r, err)
		}
		s.recipients = append(s.recipients, namedRecipient{name: r, recipient: rcpt})
	}
	slices.SortFunc(s.recipients, func(a, b namedRecipient) int { return strings.Compare(a.name, b.name) })
	s.recipients = slices.CompactFunc(s.recipients, func(a, b namedRecipient) bool { return a.name == b.name })
	if s.secrets == SecretsEncrypt && len(s.recipients) == 0 {
		return nil, errors.New("new serializer: encrypt mode needs at least one age recipient")
	}

	defaults := DefaultRules()
	known := map[string]bool{RuleAutoscaledReplicas: true}
	for _, r := range defaults {
		known[r.Name] = true
	}
	disabled := make(map[string]bool, len(opts.DisableRules))
	for _, name := range opts.DisableRules {
		if !known[name] {
			return nil, fmt.Errorf("new serializer: %w %q", ErrUnknownRule, name)
		}
		disabled[name] = true
	}
	for _, r := range defaults {
		if disabled[r.Name] {
			continue
		}
		c, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("new serializer: %w", err)
		}
		s.rules = append(s.rules, c)
	}
	for _, r := range opts.ExtraRules {
		if known[r.Name] {
			return nil, fmt.Errorf("new serializer: %w %q: name already used", ErrInvalidRule, r.Name)
		}
		known[r.Name] = true
		c, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("new serializer: %w", err)
		}
		s.rules = append(s.rules, c)
	}
	if !disabled[RuleAutoscaledReplicas] {
		s.autoscaled = opts.Autoscaled
	}
	return s, nil
}

// Normalize returns a normalized deep copy of obj (obj is never modified),
// without secret handling: a Secret's data is still plaintext.
func (s *Serializer) Normalize(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	if obj == nil || obj.Object == nil {
		return nil, errors.New("normalize: nil object")
	}
	cp, err := copyJSON(obj.Object)
	if err != nil {
		return nil, fmt.Errorf("normalize %s: %w", describe(obj), err)
	}
	out := cp.(map[string]any)
	gk := obj.GroupVersionKind().GroupKind()
	key := kindKey(gk)
	for _, r := range s.rules {
		if !r.matches(key) {
			continue
		}
		if err := r.apply(out); err != nil {
			return nil, fmt.Errorf("normalize %s: %w", describe(obj), err)
		}
	}
	if s.autoscaled != nil && s.autoscaled(gk, obj.GetNamespace(), obj.GetName()) {
		if spec, ok := out["spec"].(map[string]any); ok {
			delete(spec, "replicas")
		}
	}
	dropEmptyMetadataMaps(out)
	return &unstructured.Unstructured{Object: out}, nil
}

// Render normalizes obj, applies the Secret mode and returns canonical YAML.
// It returns (nil, nil) when the object is left out (a Secret in omit mode).
//
// Redact mode keeps each key of a Secret's data (stringData folded in first)
// and replaces its value with "<redacted:H>", H being the first 12 hex digits
// of HMAC-SHA256(key: the live object's metadata.uid, message: the data key,
// a NUL byte, the decoded value). The marker changes when the value changes,
// yet someone holding only the backup has no uid (normalization drops it) and
// so cannot test guesses of weak values; anyone who can read the uid from the
// cluster can read the Secret itself. A Secret without uid (read from a file)
// gets "<redacted>".
//
// Encrypt mode writes a SOPS file (see Decrypt): values under data are
// encrypted, the rest stays readable, and metadata.annotations carries
// FingerprintAnnotation. Encryption is randomized, so each call gives new
// bytes for the same Secret: callers compare SecretFingerprint with
// FileFingerprint of the existing file and keep the file when they are equal.
//
// An object whose name is longer than MaxNameBytes is refused with
// ErrNameTooLong (see ObjectPath for how long names are laid out).
func (s *Serializer) Render(obj *unstructured.Unstructured) ([]byte, error) {
	if obj != nil && obj.Object != nil && len(obj.GetName()) > MaxNameBytes {
		return nil, fmt.Errorf("render %s: %w: %d bytes, at most %d", describeShort(obj), ErrNameTooLong, len(obj.GetName()), MaxNameBytes)
	}
	norm, err := s.Normalize(obj)
	if err != nil {
		return nil, err
	}
	if !IsSecret(obj.GroupVersionKind().GroupKind()) {
		return Marshal(norm.Object)
	}
	switch s.secrets {
	case SecretsOmit:
		return nil, nil
	case SecretsEncrypt:
		out, err := s.encryptSecret(norm.Object, string(obj.GetUID()))
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", describe(obj), err)
		}
		return out, nil
	default:
		if err := redactSecret(norm.Object, string(obj.GetUID())); err != nil {
			return nil, fmt.Errorf("render %s: %w", describe(obj), err)
		}
		return Marshal(norm.Object)
	}
}

// IsSecret reports whether gk is the core Secret, the one kind whose
// values clusterscribe never writes in plaintext: every package asks here.
func IsSecret(gk schema.GroupKind) bool { return gk.Group == "" && gk.Kind == "Secret" }

// describeShort is describe with the name cut to its first 64 bytes, for
// names too long to repeat.
func describeShort(obj *unstructured.Unstructured) string {
	id := obj.GetName()
	if len(id) > 64 {
		id = strings.ToValidUTF8(id[:64], "") + "…"
	}
	if ns := obj.GetNamespace(); ns != "" {
		id = ns + "/" + id
	}
	return kindKey(obj.GroupVersionKind().GroupKind()) + " " + id
}

// describe names an object in errors: Kind.group namespace/name.
func describe(obj *unstructured.Unstructured) string {
	id := obj.GetName()
	if ns := obj.GetNamespace(); ns != "" {
		id = ns + "/" + id
	}
	return kindKey(obj.GroupVersionKind().GroupKind()) + " " + id
}
