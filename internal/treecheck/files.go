package treecheck

import (
	"fmt"

	"filippo.io/age"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/serializer"
)

// Files returns the files under the cluster's directory at the tip of
// branch in the repository at dir, keyed by path, in a form that compares
// across recordings: an encrypted Secret (whose ciphertext and sops
// metadata change on every render) is decrypted with ids, and its
// fingerprint annotation (keyed with the Secret's uid, which a restore
// changes) is left out. Tests compare two recordings of the same objects
// with it, e.g. before and after a restore.
func Files(dir, branch, cluster string, ids []age.Identity) (map[string]string, error) {
	files, found, err := readTree(dir, branch, cluster)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("branch %s not found in %s", branch, dir)
	}
	out := make(map[string]string, len(files))
	for path, data := range files {
		if !serializer.IsEncrypted(data) {
			out[path] = string(data)
			continue
		}
		plain, err := serializer.Decrypt(data, ids)
		if err != nil {
			return nil, fmt.Errorf("decrypt %s: %w", path, err)
		}
		var obj map[string]any
		if err := sigsyaml.Unmarshal(plain, &obj); err != nil {
			return nil, fmt.Errorf("parse decrypted %s: %w", path, err)
		}
		if md, ok := obj["metadata"].(map[string]any); ok {
			if ann, ok := md["annotations"].(map[string]any); ok {
				delete(ann, serializer.FingerprintAnnotation)
				if len(ann) == 0 {
					delete(md, "annotations")
				}
			}
		}
		canon, err := serializer.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("marshal decrypted %s: %w", path, err)
		}
		out[path] = "decrypted:\n" + string(canon)
	}
	return out, nil
}
