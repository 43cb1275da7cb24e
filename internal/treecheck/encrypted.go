package treecheck

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/serializer"
)

// ciphertextMarker stands in for encrypted values when files are compared
// without identities.
const ciphertextMarker = "<ciphertext>"

// compareEncrypted compares an encrypted Secret's file with a fresh render
// of the live Secret (see Result.Encrypted).
func (c *comparer) compareEncrypted(l liveObject, fresh, file []byte) (string, error) {
	if !serializer.IsEncrypted(file) {
		return "the file is not SOPS-encrypted:\n" + lineDiff(string(fresh), string(file)), nil
	}
	var diffs []string
	want, err := c.ser.SecretFingerprint(l.obj)
	if err != nil {
		return "", fmt.Errorf("fingerprint of the live Secret: %w", err)
	}
	if got := serializer.FileFingerprint(file); got != want {
		diffs = append(diffs, fmt.Sprintf("fingerprint annotation: live %q, file %q", want, got))
	}
	if len(c.identities) > 0 {
		plainWant, err := serializer.Decrypt(fresh, c.identities)
		if err != nil {
			return "", fmt.Errorf("decrypt a fresh render: %w", err)
		}
		plainGot, err := serializer.Decrypt(file, c.identities)
		if err != nil {
			return "", fmt.Errorf("decrypt the file: %w", err)
		}
		d, err := decryptedDiff(plainWant, plainGot)
		if err != nil {
			return "", err
		}
		if d != "" {
			diffs = append(diffs, d)
		}
		return strings.Join(diffs, "\n"), nil
	}
	clearWant, err := clearText(fresh)
	if err != nil {
		return "", fmt.Errorf("fresh render: %w", err)
	}
	clearGot, err := clearText(file)
	if err != nil {
		return "", fmt.Errorf("file: %w", err)
	}
	if d := lineDiff(clearWant, clearGot); d != "" {
		diffs = append(diffs, "clear-text fields (ciphertext and sops metadata left out):\n"+d)
	}
	return strings.Join(diffs, "\n"), nil
}

// clearText is an encrypted file without what changes on every render: the
// sops metadata, and the values under data and stringData (each replaced by
// a marker, so that the keys are still compared).
func clearText(data []byte) (string, error) {
	var obj map[string]any
	if err := sigsyaml.Unmarshal(data, &obj); err != nil {
		return "", fmt.Errorf("parse: %w", err)
	}
	delete(obj, "sops")
	for _, field := range []string{"data", "stringData"} {
		if m, ok := obj[field].(map[string]any); ok {
			for k := range m {
				m[k] = ciphertextMarker
			}
		}
	}
	out, err := serializer.Marshal(obj)
	if err != nil {
		return "", fmt.Errorf("marshal: %w", err)
	}
	return string(out), nil
}

// decryptedDiff compares two decrypted Secrets without showing a value: the
// keys whose values differ are named, the other fields are diffed.
func decryptedDiff(want, got []byte) (string, error) {
	var w, g map[string]any
	if err := sigsyaml.Unmarshal(want, &w); err != nil {
		return "", fmt.Errorf("parse a decrypted render: %w", err)
	}
	if err := sigsyaml.Unmarshal(got, &g); err != nil {
		return "", fmt.Errorf("parse the decrypted file: %w", err)
	}
	var lines []string
	for _, field := range []string{"data", "stringData"} {
		wm, _ := w[field].(map[string]any)
		gm, _ := g[field].(map[string]any)
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range gm {
			keys[k] = true
		}
		var differ []string
		for k := range keys {
			if !reflect.DeepEqual(wm[k], gm[k]) {
				differ = append(differ, k)
			}
		}
		if len(differ) > 0 {
			slices.Sort(differ)
			lines = append(lines, fmt.Sprintf("decrypted %s: the values of %s differ (not shown)", field, strings.Join(differ, ", ")))
		}
	}
	clearWant, err := clearText(want)
	if err != nil {
		return "", err
	}
	clearGot, err := clearText(got)
	if err != nil {
		return "", err
	}
	if d := lineDiff(clearWant, clearGot); d != "" {
		lines = append(lines, "decrypted, values left out:\n"+d)
	}
	return strings.Join(lines, "\n"), nil
}
