package serializer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// redactedNoUID replaces values of Secrets that have no uid to key the marker.
const redactedNoUID = "<redacted>"

// fingerprintDomain separates fingerprint HMACs from any other use of the key.
const fingerprintDomain = "clusterscribe secret fingerprint v1\x00"

// prepareSecret makes a normalized Secret safe to hand to a secret mode,
// whatever rules are switched off: stringData is folded into data, and
// annotations that hold plaintext values (kubectl's last-applied manifest) or
// a previous fingerprint are removed.
func prepareSecret(obj map[string]any) error {
	if err := foldStringData(obj); err != nil {
		return err
	}
	removeAnnotations(obj, []string{LastAppliedAnnotation, FingerprintAnnotation})
	dropEmptyMetadataMaps(obj)
	return nil
}

// secretData returns the Secret's data map, nil when there is none.
func secretData(obj map[string]any) (map[string]any, error) {
	raw, ok := obj["data"]
	if !ok || raw == nil {
		return nil, nil
	}
	data, ok := raw.(map[string]any)
	if !ok {
		return nil, errors.New("data is not a map")
	}
	return data, nil
}

// redactSecret replaces each data value with its redaction marker (see Render).
func redactSecret(obj map[string]any, uid string) error {
	if err := prepareSecret(obj); err != nil {
		return err
	}
	data, err := secretData(obj)
	if err != nil {
		return err
	}
	for k, v := range data {
		var value []byte
		switch t := v.(type) {
		case nil:
		case string:
			value, err = base64.StdEncoding.DecodeString(t)
			if err != nil {
				value = []byte(t)
			}
		default:
			return fmt.Errorf("data key %q: value is not a string", k)
		}
		data[k] = redactionMarker(uid, k, value)
	}
	return nil
}

// redactionMarker is "<redacted:" + the first 12 hex digits of
// HMAC-SHA256(uid, key NUL value) + ">", or "<redacted>" without uid.
func redactionMarker(uid, key string, value []byte) string {
	if uid == "" {
		return redactedNoUID
	}
	mac := hmac.New(sha256.New, []byte(uid))
	mac.Write([]byte(key))
	mac.Write([]byte{0})
	mac.Write(value)
	return "<redacted:" + hex.EncodeToString(mac.Sum(nil))[:12] + ">"
}

// SecretFingerprint returns the fingerprint that Render in encrypt mode writes
// to FingerprintAnnotation, computed from a live Secret: the hex
// HMAC-SHA256, keyed with the Secret's metadata.uid, of the age recipients
// and the canonical YAML of the normalized plaintext Secret (everything
// Render encrypts or writes in clear, the annotation itself excepted). It
// changes when any rendered field or the recipients change, and reveals
// nothing to someone without the uid. It returns ErrNotSecret for other
// kinds and ErrNoUID for a Secret without uid.
func (s *Serializer) SecretFingerprint(obj *unstructured.Unstructured) (string, error) {
	if obj == nil || obj.Object == nil {
		return "", errors.New("secret fingerprint: nil object")
	}
	if !IsSecret(obj.GroupVersionKind().GroupKind()) {
		return "", fmt.Errorf("secret fingerprint %s: %w", describe(obj), ErrNotSecret)
	}
	uid := string(obj.GetUID())
	if uid == "" {
		return "", fmt.Errorf("secret fingerprint %s: %w", describe(obj), ErrNoUID)
	}
	norm, err := s.Normalize(obj)
	if err != nil {
		return "", fmt.Errorf("secret fingerprint: %w", err)
	}
	if err := prepareSecret(norm.Object); err != nil {
		return "", fmt.Errorf("secret fingerprint %s: %w", describe(obj), err)
	}
	fp, err := s.fingerprint(norm.Object, uid)
	if err != nil {
		return "", fmt.Errorf("secret fingerprint %s: %w", describe(obj), err)
	}
	return fp, nil
}

// fingerprint computes the fingerprint of a prepared, normalized Secret.
func (s *Serializer) fingerprint(obj map[string]any, uid string) (string, error) {
	plain, err := Marshal(obj)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, []byte(uid))
	mac.Write([]byte(fingerprintDomain))
	for _, r := range s.recipients {
		mac.Write([]byte(r.name))
		mac.Write([]byte{'\n'})
	}
	mac.Write([]byte{0})
	mac.Write(plain)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// FileFingerprint returns the FingerprintAnnotation of a rendered file, or ""
// when the file has none or cannot be parsed.
func FileFingerprint(data []byte) string {
	var doc struct {
		Metadata struct {
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return ""
	}
	return doc.Metadata.Annotations[FingerprintAnnotation]
}
