package serializer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The SOPS file format, as written by getsops/sops v3 and read by it and by
// Flux's kustomize-controller:
//
//   - Every leaf value selected for encryption (here: any value below a key
//     matching encrypted_regex) is replaced by
//     ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<str|int|float|bool>],
//     AES-256-GCM under a random 32-byte data key with a 32-byte IV, the
//     additional data being the path of map keys to the value, each followed
//     by ":" (list indexes are not part of the path). Empty strings stay empty.
//   - The MAC is SHA-512 over every non-null leaf value in document order
//     (strings as is, ints in decimal, floats in shortest decimal, booleans as
//     "True"/"False"), written as upper-case hex and encrypted like a value,
//     with the RFC 3339 lastmodified time as additional data.
//   - The top-level "sops" map holds the data key encrypted to each age
//     recipient (an armored age file per recipient), lastmodified, mac,
//     encrypted_regex and version.
const (
	sopsKey           = "sops"
	sopsVersion       = "3.9.0"
	sopsEncryptedRe   = "^(data|stringData)$"
	sopsDefaultSuffix = "_unencrypted"
	sopsKeySize       = 32
	sopsNonceSize     = 32
	sopsValuePrefix   = "ENC[AES256_GCM,"
)

// macOnlyEncryptedInit starts the MAC hash of files with mac_only_encrypted,
// so such a MAC never equals one over all values (SHA-256 of "sops").
var macOnlyEncryptedInit = []byte{
	0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
	0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
}

// sopsMetadata is the "sops" map of a file.
type sopsMetadata struct {
	KeyGroups               []sopsKeyGroup `yaml:"key_groups,omitempty"`
	Age                     []sopsAgeKey   `yaml:"age,omitempty"`
	LastModified            string         `yaml:"lastmodified"`
	MAC                     string         `yaml:"mac"`
	UnencryptedSuffix       string         `yaml:"unencrypted_suffix,omitempty"`
	EncryptedSuffix         string         `yaml:"encrypted_suffix,omitempty"`
	UnencryptedRegex        string         `yaml:"unencrypted_regex,omitempty"`
	EncryptedRegex          string         `yaml:"encrypted_regex,omitempty"`
	UnencryptedCommentRegex string         `yaml:"unencrypted_comment_regex,omitempty"`
	EncryptedCommentRegex   string         `yaml:"encrypted_comment_regex,omitempty"`
	MACOnlyEncrypted        bool           `yaml:"mac_only_encrypted,omitempty"`
	Version                 string         `yaml:"version"`
}

type sopsKeyGroup struct {
	Age []sopsAgeKey `yaml:"age,omitempty"`
}

type sopsAgeKey struct {
	Recipient string `yaml:"recipient"`
	Enc       string `yaml:"enc"`
}

// selector decides, from the path of keys to a value, whether SOPS encrypts
// it, following the file's (at most one) encryption rule.
type selector struct {
	unencryptedSuffix, encryptedSuffix string
	unencryptedRegex, encryptedRegex   *regexp.Regexp
}

func newSelector(m *sopsMetadata) (selector, error) {
	if m.UnencryptedCommentRegex != "" || m.EncryptedCommentRegex != "" {
		return selector{}, errors.New("comment-based encryption rules are not supported")
	}
	rules := 0
	for _, r := range []string{m.UnencryptedSuffix, m.EncryptedSuffix, m.UnencryptedRegex, m.EncryptedRegex} {
		if r != "" {
			rules++
		}
	}
	if rules > 1 {
		return selector{}, errors.New("more than one encryption rule")
	}
	sel := selector{unencryptedSuffix: m.UnencryptedSuffix, encryptedSuffix: m.EncryptedSuffix}
	if rules == 0 {
		sel.unencryptedSuffix = sopsDefaultSuffix
	}
	var err error
	if m.UnencryptedRegex != "" {
		if sel.unencryptedRegex, err = regexp.Compile(m.UnencryptedRegex); err != nil {
			return selector{}, fmt.Errorf("unencrypted_regex: %w", err)
		}
	}
	if m.EncryptedRegex != "" {
		if sel.encryptedRegex, err = regexp.Compile(m.EncryptedRegex); err != nil {
			return selector{}, fmt.Errorf("encrypted_regex: %w", err)
		}
	}
	return sel, nil
}

func (s selector) encrypted(path []string) bool {
	switch {
	case s.unencryptedSuffix != "":
		for _, k := range path {
			if strings.HasSuffix(k, s.unencryptedSuffix) {
				return false
			}
		}
		return true
	case s.encryptedSuffix != "":
		for _, k := range path {
			if strings.HasSuffix(k, s.encryptedSuffix) {
				return true
			}
		}
		return false
	case s.unencryptedRegex != nil:
		for _, k := range path {
			if s.unencryptedRegex.MatchString(k) {
				return false
			}
		}
		return true
	case s.encryptedRegex != nil:
		for _, k := range path {
			if s.encryptedRegex.MatchString(k) {
				return true
			}
		}
		return false
	}
	return true
}

// additionalData is the AES-GCM additional data of the value at path.
func additionalData(path []string) string {
	return strings.Join(path, ":") + ":"
}

// walkLeaves calls fn for every scalar below n with the path of map keys to
// it; list elements share their list's path. Keys must be strings.
func walkLeaves(n *yaml.Node, path []string, fn func(leaf *yaml.Node, path []string) error) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			var key any
			if err := n.Content[i].Decode(&key); err != nil {
				return fmt.Errorf("decode key: %w", err)
			}
			k, ok := key.(string)
			if !ok {
				return fmt.Errorf("non-string map key of type %T", key)
			}
			if err := walkLeaves(n.Content[i+1], append(path, k), fn); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if err := walkLeaves(c, path, fn); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		return fn(n, path)
	case yaml.AliasNode:
		return errors.New("yaml aliases are not supported")
	}
	return nil
}

// scalarValue decodes a scalar node the way SOPS's YAML store does. The
// error leaves out the decoder's message, which would quote the value.
func scalarValue(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("undecodable %s scalar at line %d", n.ShortTag(), n.Line)
	}
	return v, nil
}

// macBytes is a value's contribution to the SOPS MAC.
func macBytes(v any) ([]byte, error) {
	switch t := v.(type) {
	case string:
		return []byte(t), nil
	case int:
		return []byte(strconv.Itoa(t)), nil
	case int64:
		return []byte(strconv.FormatInt(t, 10)), nil
	case float64:
		return []byte(strconv.FormatFloat(t, 'f', -1, 64)), nil
	case bool:
		if t {
			return []byte("True"), nil
		}
		return []byte("False"), nil
	default:
		return nil, fmt.Errorf("value of type %T cannot be part of a sops mac", v)
	}
}

// newMAC starts a SOPS MAC hash.
func newMAC(onlyEncrypted bool) hash.Hash {
	h := sha512.New()
	if onlyEncrypted {
		h.Write(macOnlyEncryptedInit)
	}
	return h
}

// macString renders a finished MAC as SOPS does: upper-case hex.
func macString(h hash.Hash) string {
	return fmt.Sprintf("%X", h.Sum(nil))
}

// encryptValue encrypts one value into the SOPS ENC[...] form.
func encryptValue(v any, key []byte, aad string, rnd io.Reader) (string, error) {
	var plain []byte
	var typ string
	switch t := v.(type) {
	case string:
		if t == "" {
			return "", nil
		}
		plain, typ = []byte(t), "str"
	case int:
		plain, typ = []byte(strconv.Itoa(t)), "int"
	case int64:
		plain, typ = []byte(strconv.FormatInt(t, 10)), "int"
	case float64:
		plain, typ = []byte(strconv.FormatFloat(t, 'f', -1, 64)), "float"
	case bool:
		plain, typ = []byte("False"), "bool"
		if t {
			plain = []byte("True")
		}
	default:
		return "", fmt.Errorf("cannot encrypt a value of type %T", v)
	}
	gcm, err := newGCM(key, sopsNonceSize)
	if err != nil {
		return "", err
	}
	iv := make([]byte, sopsNonceSize)
	if _, err := io.ReadFull(rnd, iv); err != nil {
		return "", fmt.Errorf("read random iv: %w", err)
	}
	sealed := gcm.Seal(nil, iv, plain, []byte(aad))
	body, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	enc := base64.StdEncoding
	return sopsValuePrefix + "data:" + enc.EncodeToString(body) + ",iv:" + enc.EncodeToString(iv) +
		",tag:" + enc.EncodeToString(tag) + ",type:" + typ + "]", nil
}

// decryptValue reverses encryptValue. The error never quotes the value.
func decryptValue(s string, key []byte, aad string) (any, error) {
	if s == "" {
		return "", nil
	}
	inner, hasPrefix := strings.CutPrefix(s, sopsValuePrefix)
	inner, hasSuffix := strings.CutSuffix(inner, "]")
	if !hasPrefix || !hasSuffix {
		return nil, errors.New("value is not in sops ENC[AES256_GCM,...] form")
	}
	fields := strings.Split(inner, ",")
	if len(fields) != 4 {
		return nil, errors.New("value is not in sops ENC[AES256_GCM,...] form")
	}
	var parts [3][]byte
	for i, name := range []string{"data:", "iv:", "tag:"} {
		b64, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return nil, fmt.Errorf("encrypted value: missing %s field", strings.TrimSuffix(name, ":"))
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("encrypted value: %s field: %w", strings.TrimSuffix(name, ":"), err)
		}
		parts[i] = b
	}
	typ, ok := strings.CutPrefix(fields[3], "type:")
	if !ok {
		return nil, errors.New("encrypted value: missing type field")
	}
	if len(parts[1]) == 0 {
		return nil, errors.New("encrypted value: empty iv")
	}
	gcm, err := newGCM(key, len(parts[1]))
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, parts[1], append(parts[0], parts[2]...), []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("decrypt value at %q: %w", aad, err)
	}
	var v any
	switch typ {
	case "str", "bytes":
		return string(plain), nil
	case "int":
		v, err = strconv.Atoi(string(plain))
	case "int64":
		v, err = strconv.ParseInt(string(plain), 10, 64)
	case "float":
		v, err = strconv.ParseFloat(string(plain), 64)
	case "bool":
		v, err = strconv.ParseBool(string(plain))
	default:
		return nil, fmt.Errorf("encrypted value at %q: unsupported type %q", aad, typ)
	}
	if err != nil {
		return nil, fmt.Errorf("encrypted value at %q: malformed %s", aad, typ)
	}
	return v, nil
}

func newGCM(key []byte, nonceSize int) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, nonceSize)
	if err != nil {
		return nil, fmt.Errorf("aes-gcm: %w", err)
	}
	return gcm, nil
}
