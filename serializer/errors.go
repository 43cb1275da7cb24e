package serializer

import "errors"

var (
	// ErrUnknownRule is returned by New when Options.DisableRules names a rule
	// that does not exist.
	ErrUnknownRule = errors.New("unknown rule")
	// ErrInvalidRule is returned for a malformed Rule or rule string.
	ErrInvalidRule = errors.New("invalid rule")
	// ErrInvalidPath is returned by ParseObjectPath and DecodeSegment for a
	// path or segment that ObjectPath and EncodeSegment would never produce.
	ErrInvalidPath = errors.New("invalid object path")
	// ErrNameTooLong is returned by Render for an object whose name is longer
	// than MaxNameBytes: its file would not fit the path limits of common
	// filesystems, so it is not written at all.
	ErrNameTooLong = errors.New("object name too long for a file path")
	// ErrNotSecret is returned by SecretFingerprint for an object that is not
	// a core/v1 Secret.
	ErrNotSecret = errors.New("object is not a Secret")
	// ErrNoUID is returned by SecretFingerprint for a Secret without
	// metadata.uid: without it there is no key to fingerprint with, and the
	// caller must always write the file.
	ErrNoUID = errors.New("secret has no metadata.uid")
	// ErrNotEncrypted is returned by Decrypt for a file without SOPS metadata.
	ErrNotEncrypted = errors.New("file has no sops metadata")
	// ErrMACMismatch is returned by Decrypt when the file's SOPS MAC does not
	// match its content: the file was altered after it was encrypted.
	ErrMACMismatch = errors.New("sops mac mismatch")
)
