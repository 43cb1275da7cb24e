package committer

import "encoding/hex"

// Hash names a Git object: a commit (Commit, Head) or a file's content
// (Files, BlobHash).
type Hash [20]byte

// String is the hash in hexadecimal, as Git writes it.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports the zero hash: no commit yet.
func (h Hash) IsZero() bool { return h == Hash{} }
