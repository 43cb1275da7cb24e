package serializer

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"go.yaml.in/yaml/v3"
)

// secretSelector selects the values Render encrypts: everything below a
// "data" or "stringData" key, as encrypted_regex says.
var secretSelector = selector{encryptedRegex: regexp.MustCompile(sopsEncryptedRe)}

// encryptSecret renders a normalized Secret as a SOPS file (see sops.go).
func (s *Serializer) encryptSecret(obj map[string]any, uid string) ([]byte, error) {
	if err := prepareSecret(obj); err != nil {
		return nil, err
	}
	if _, ok := obj[sopsKey]; ok {
		return nil, fmt.Errorf("object has a top-level %q field", sopsKey)
	}
	if uid != "" {
		fp, err := s.fingerprint(obj, uid)
		if err != nil {
			return nil, err
		}
		setAnnotation(obj, FingerprintAnnotation, fp)
	}
	root, err := toNode(obj)
	if err != nil {
		return nil, err
	}

	dataKey := make([]byte, sopsKeySize)
	if _, err := io.ReadFull(s.rand, dataKey); err != nil {
		return nil, fmt.Errorf("read random data key: %w", err)
	}
	mac := newMAC(false)
	err = walkLeaves(root, nil, func(leaf *yaml.Node, path []string) error {
		v, err := scalarValue(leaf)
		if err != nil || v == nil {
			return err
		}
		b, err := macBytes(v)
		if err != nil {
			return err
		}
		mac.Write(b)
		if !secretSelector.encrypted(path) {
			return nil
		}
		ct, err := encryptValue(v, dataKey, additionalData(path), s.rand)
		if err != nil {
			return err
		}
		*leaf = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sops encrypt: %w", err)
	}

	lastModified := s.now().UTC().Format(time.RFC3339)
	encMAC, err := encryptValue(macString(mac), dataKey, lastModified, s.rand)
	if err != nil {
		return nil, fmt.Errorf("sops encrypt mac: %w", err)
	}
	keys := make([]any, 0, len(s.recipients))
	for _, r := range s.recipients {
		enc, err := wrapDataKey(dataKey, r.recipient)
		if err != nil {
			return nil, fmt.Errorf("sops encrypt data key for %s: %w", r.name, err)
		}
		keys = append(keys, map[string]any{"recipient": r.name, "enc": enc})
	}
	meta, err := toNode(map[string]any{
		"age":             keys,
		"lastmodified":    lastModified,
		"mac":             encMAC,
		"encrypted_regex": sopsEncryptedRe,
		"version":         sopsVersion,
	})
	if err != nil {
		return nil, err
	}
	insertSorted(root, sopsKey, meta)
	return encodeNode(root)
}

// wrapDataKey encrypts the data key to one recipient as an armored age file.
func wrapDataKey(dataKey []byte, r age.Recipient) (string, error) {
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return "", err
	}
	if _, err := w.Write(dataKey); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	if err := aw.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// setAnnotation sets metadata.annotations[key], creating the maps as needed.
func setAnnotation(obj map[string]any, key, value string) {
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	ann, ok := meta["annotations"].(map[string]any)
	if !ok {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	ann[key] = value
}

// insertSorted adds key: value to a mapping node whose keys are sorted.
func insertSorted(m *yaml.Node, key string, value *yaml.Node) {
	i := 0
	for i < len(m.Content) && m.Content[i].Value < key {
		i += 2
	}
	m.Content = append(m.Content[:i], append([]*yaml.Node{stringNode(key), value}, m.Content[i:]...)...)
}

// IsEncrypted reports whether data is a SOPS file (has sops metadata with a
// MAC), as Render writes Secrets in encrypt mode.
func IsEncrypted(data []byte) bool {
	var doc struct {
		Sops *struct {
			MAC string `yaml:"mac"`
		} `yaml:"sops"`
	}
	return yaml.Unmarshal(data, &doc) == nil && doc.Sops != nil && doc.Sops.MAC != ""
}

// Decrypt decrypts a SOPS YAML file with age identities, checks its MAC and
// returns the plaintext object as canonical YAML (see Marshal), without the
// sops metadata. It reads files written by Render and by sops itself
// (getsops/sops v3, age keys, a single key group, any one of the
// encrypted/unencrypted suffix/regex rules); comments are dropped. It returns
// ErrNotEncrypted for a file without sops metadata and ErrMACMismatch for a
// file altered after encryption. Errors never quote decrypted values.
func Decrypt(data []byte, identities []age.Identity) ([]byte, error) {
	root, err := parseSingleDocument(data)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	metaNode := takeKey(root, sopsKey)
	if metaNode == nil {
		return nil, fmt.Errorf("decrypt: %w", ErrNotEncrypted)
	}
	var meta sopsMetadata
	if err := metaNode.Decode(&meta); err != nil {
		return nil, fmt.Errorf("decrypt: sops metadata: %w", err)
	}
	if meta.MAC == "" {
		return nil, fmt.Errorf("decrypt: %w", ErrNotEncrypted)
	}
	sel, err := newSelector(&meta)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	lastModified, err := time.Parse(time.RFC3339, meta.LastModified)
	if err != nil {
		return nil, fmt.Errorf("decrypt: sops lastmodified: %w", err)
	}
	key, err := unwrapDataKey(&meta, identities)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}

	mac := newMAC(meta.MACOnlyEncrypted)
	err = walkLeaves(root, nil, func(leaf *yaml.Node, path []string) error {
		v, err := scalarValue(leaf)
		if err != nil || v == nil {
			return err
		}
		encrypted := sel.encrypted(path)
		if encrypted {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("value at %q is not encrypted", additionalData(path))
			}
			if v, err = decryptValue(s, key, additionalData(path)); err != nil {
				return err
			}
			setScalar(leaf, v)
		}
		if meta.MACOnlyEncrypted && !encrypted {
			return nil
		}
		b, err := macBytes(v)
		if err != nil {
			return err
		}
		mac.Write(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	stored, err := decryptValue(meta.MAC, key, lastModified.Format(time.RFC3339))
	if err != nil {
		return nil, fmt.Errorf("decrypt: sops mac: %w", err)
	}
	storedMAC, _ := stored.(string)
	if subtle.ConstantTimeCompare([]byte(strings.ToUpper(storedMAC)), []byte(macString(mac))) != 1 {
		return nil, fmt.Errorf("decrypt: %w", ErrMACMismatch)
	}
	obj, err := nodeToValue(root)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	m, _ := obj.(map[string]any)
	return Marshal(m)
}

// unwrapDataKey recovers the data key from the first age entry one of the
// identities opens.
func unwrapDataKey(meta *sopsMetadata, identities []age.Identity) ([]byte, error) {
	keys := meta.Age
	if len(meta.KeyGroups) > 1 {
		return nil, errors.New("sops files with several key groups (shamir) are not supported")
	}
	if len(keys) == 0 && len(meta.KeyGroups) == 1 {
		keys = meta.KeyGroups[0].Age
	}
	if len(keys) == 0 {
		return nil, errors.New("sops metadata has no age recipients")
	}
	if len(identities) == 0 {
		return nil, errors.New("no age identities given")
	}
	var errs []error
	for _, k := range keys {
		r, err := age.Decrypt(armor.NewReader(strings.NewReader(k.Enc)), identities...)
		if err != nil {
			errs = append(errs, fmt.Errorf("recipient %s: %w", k.Recipient, err))
			continue
		}
		key, err := io.ReadAll(io.LimitReader(r, sopsKeySize+1))
		if err != nil {
			errs = append(errs, fmt.Errorf("recipient %s: %w", k.Recipient, err))
			continue
		}
		if len(key) != sopsKeySize {
			return nil, fmt.Errorf("recipient %s: data key is %d bytes, want %d", k.Recipient, len(key), sopsKeySize)
		}
		return key, nil
	}
	return nil, fmt.Errorf("no identity opens the sops data key: %w", errors.Join(errs...))
}

// parseSingleDocument parses data as one YAML document holding a mapping.
func parseSingleDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrNotEncrypted
		}
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("parse yaml: more than one document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("parse yaml: document is not a mapping")
	}
	return doc.Content[0], nil
}

// takeKey removes key from a mapping node and returns its value, nil if absent.
func takeKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			v := m.Content[i+1]
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return v
		}
	}
	return nil
}

// setScalar replaces a scalar node's content with a decrypted value.
func setScalar(n *yaml.Node, v any) {
	*n = yaml.Node{Kind: yaml.ScalarNode}
	switch t := v.(type) {
	case string:
		n.Tag, n.Value = "!!str", t
	case int:
		n.Tag, n.Value = "!!int", strconv.Itoa(t)
	case int64:
		n.Tag, n.Value = "!!int", strconv.FormatInt(t, 10)
	case float64:
		n.Tag, n.Value = "!!float", strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		n.Tag, n.Value = "!!bool", strconv.FormatBool(t)
	}
}

// nodeToValue converts a parsed node tree into a JSON-like value.
func nodeToValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("duplicate key %q", k)
			}
			v, err := nodeToValue(n.Content[i+1])
			if err != nil {
				return nil, within(err, k)
			}
			m[k] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := nodeToValue(c)
			if err != nil {
				return nil, within(err, strconv.Itoa(i))
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		v, err := scalarValue(n)
		if err != nil {
			return nil, &valueError{msg: "undecodable scalar"}
		}
		switch t := v.(type) {
		case string, bool, nil, float64:
			return t, nil
		case int:
			return int64(t), nil
		case int64:
			return t, nil
		default:
			return nil, &valueError{msg: fmt.Sprintf("unsupported scalar of type %T", v)}
		}
	default:
		return nil, &valueError{msg: "unsupported yaml node (alias or document)"}
	}
}
