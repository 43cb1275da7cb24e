package serializer

import (
	"fmt"
	"strings"
)

// Directory and file names of the backup branch layout.
const (
	clusterDir    = "cluster"
	namespacesDir = "namespaces"
	coreGroup     = "core"
	fileExt       = ".yaml"
	emptySegment  = "%"
)

// Limits of the layout.
const (
	// MaxSegmentBytes is the longest path segment ObjectPath writes: the
	// file name limit of common filesystems (ext4, XFS, Btrfs, APFS, NTFS).
	MaxSegmentBytes = 255
	// MaxNameBytes is the longest object name Render accepts (ErrNameTooLong
	// beyond). Kubernetes validates most names as DNS subdomains (at most 253
	// bytes), but RBAC names have no length limit; a 1 KiB name already
	// makes a path of up to about 3.5 KiB, close to PATH_MAX (4 KiB) once
	// the repository's own directory is added.
	MaxNameBytes = 1024
	// namePieceBytes is the longest encoded piece of a long name: one piece
	// plus ".yaml" fits in MaxSegmentBytes.
	namePieceBytes = MaxSegmentBytes - len(fileExt)
)

// ObjectRef names one object's file in the backup branch.
type ObjectRef struct {
	Cluster   string
	Group     string // "" for the core group
	Resource  string // plural resource name, e.g. "deployments"
	Namespace string // "" for cluster-scoped objects
	Name      string
}

// ObjectPath returns the slash-separated path of an object's file:
//
//	<cluster>/cluster/<group>/<resource>/<name>.yaml            (cluster-scoped)
//	<cluster>/namespaces/<ns>/<group>/<resource>/<name>.yaml    (namespaced)
//
// with "core" for the empty group and every part encoded by EncodeSegment. No
// API group is named "core" (the core group is ""), so the name is free.
//
// A name whose encoding does not fit in one file name (MaxSegmentBytes with
// ".yaml") is cut into pieces, each encoded on its own and written as a
// chain of directories below the resource directory, the last piece being
// the file: <resource>/<piece1>/<piece2>.yaml. Every piece but the last has
// the longest prefix of what is left whose encoding fits, so the split is
// unique and ParseObjectPath still reads the whole name back.
func ObjectPath(ref ObjectRef) string {
	return ResourceDir(EncodeSegment(ref.Cluster), ref.Namespace, ref.Group, ref.Resource) + "/" + NamePath(ref.Name)
}

// ScopeDir is the directory of a cluster's cluster-scoped objects
// (namespace "") or of one namespace's objects: "<cluster>/cluster" or
// "<cluster>/namespaces/<ns>". cluster is the cluster's directory as it
// appears in the branch (already encoded).
func ScopeDir(cluster, namespace string) string {
	if namespace == "" {
		return cluster + "/" + clusterDir
	}
	return cluster + "/" + namespacesDir + "/" + EncodeSegment(namespace)
}

// GroupSegment is an API group's directory name: "core" for the core
// group ("").
func GroupSegment(group string) string {
	if group == "" {
		return coreGroup
	}
	return EncodeSegment(group)
}

// ResourceDir is the directory of one resource's objects in a scope (see
// ScopeDir): "<scope>/<group>/<resource>".
func ResourceDir(cluster, namespace, group, resource string) string {
	return ScopeDir(cluster, namespace) + "/" + GroupSegment(group) + "/" + EncodeSegment(resource)
}

// NamePath is the part of an object's path below its resource directory:
// the encoded name and ".yaml", or for a long name its pieces joined by "/"
// (see ObjectPath). Look objects up by it, not by EncodeSegment(name).
func NamePath(name string) string {
	enc := EncodeSegment(name)
	if len(enc) <= namePieceBytes {
		return enc + fileExt
	}
	var b strings.Builder
	b.Grow(len(enc) + len(enc)/namePieceBytes + len(fileExt))
	for {
		n := pieceLen(name)
		b.WriteString(EncodeSegment(name[:n]))
		if n == len(name) {
			b.WriteString(fileExt)
			return b.String()
		}
		b.WriteByte('/')
		name = name[n:]
	}
}

// pieceLen is the length of the longest non-empty prefix of s whose
// encoding fits in namePieceBytes.
func pieceLen(s string) int {
	n, size := 0, 0
	for n < len(s) {
		w := 1
		if !isSafeByte(s[n]) {
			w = 3
		}
		if size+w > namePieceBytes {
			break
		}
		size += w
		n++
	}
	// A trailing dot or a reserved first letter costs two bytes more.
	for n > 1 && len(EncodeSegment(s[:n])) > namePieceBytes {
		n--
	}
	return n
}

// ParseObjectPath is the inverse of ObjectPath. It refuses any path that
// ObjectPath would not produce, with an error wrapping ErrInvalidPath.
func ParseObjectPath(p string) (ObjectRef, error) {
	parts := strings.Split(p, "/")
	var ref ObjectRef
	var rest []string
	switch {
	case len(parts) >= 5 && parts[1] == clusterDir:
		rest = parts[2:]
	case len(parts) >= 6 && parts[1] == namespacesDir:
		ns, err := DecodeSegment(parts[2])
		if err != nil {
			return ObjectRef{}, fmt.Errorf("parse object path %q: namespace: %w", p, err)
		}
		if ns == "" {
			return ObjectRef{}, fmt.Errorf("parse object path %q: %w: empty namespace", p, ErrInvalidPath)
		}
		ref.Namespace = ns
		rest = parts[3:]
	default:
		return ObjectRef{}, fmt.Errorf("parse object path %q: %w: want <cluster>/cluster/<group>/<resource>/<name>.yaml "+
			"or <cluster>/namespaces/<ns>/<group>/<resource>/<name>.yaml", p, ErrInvalidPath)
	}
	var err error
	if ref.Cluster, err = DecodeSegment(parts[0]); err != nil {
		return ObjectRef{}, fmt.Errorf("parse object path %q: cluster: %w", p, err)
	}
	if rest[0] != coreGroup {
		if ref.Group, err = DecodeSegment(rest[0]); err != nil {
			return ObjectRef{}, fmt.Errorf("parse object path %q: group: %w", p, err)
		}
		if ref.Group == "" {
			return ObjectRef{}, fmt.Errorf("parse object path %q: %w: empty group, want %q", p, ErrInvalidPath, coreGroup)
		}
	}
	if ref.Resource, err = DecodeSegment(rest[1]); err != nil {
		return ObjectRef{}, fmt.Errorf("parse object path %q: resource: %w", p, err)
	}
	file := strings.Join(rest[2:], "/")
	stem, ok := strings.CutSuffix(file, fileExt)
	if !ok {
		return ObjectRef{}, fmt.Errorf("parse object path %q: %w: file name must end in %s", p, ErrInvalidPath, fileExt)
	}
	var name strings.Builder
	for piece := range strings.SplitSeq(stem, "/") {
		dec, err := DecodeSegment(piece)
		if err != nil {
			return ObjectRef{}, fmt.Errorf("parse object path %q: name: %w", p, err)
		}
		name.WriteString(dec)
	}
	ref.Name = name.String()
	// Only the split ObjectPath makes is accepted: one path per object.
	if NamePath(ref.Name) != file {
		return ObjectRef{}, fmt.Errorf("parse object path %q: %w: the name is not split as ObjectPath splits it", p, ErrInvalidPath)
	}
	return ref, nil
}

// EncodeSegment makes s safe as one path segment on every filesystem, and
// reversibly so (DecodeSegment). ASCII letters, digits and "-_.@+=," are kept,
// so common names stay readable; every other byte, "%" included, becomes %XX
// (upper-case hex): "system:controller:foo" -> "system%3Acontroller%3Afoo".
// In addition a trailing "." is escaped (Windows drops it, and "." and ".."
// must never appear), as is the first letter of a Windows reserved device
// name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, whatever the case or extension):
// "con" -> "%63on". The empty string becomes "%".
//
// Letter case is kept, so two names differing only in case map to two files
// that collide on a case-insensitive filesystem (macOS, Windows defaults); Git
// itself keeps them apart.
func EncodeSegment(s string) string {
	if s == "" {
		return emptySegment
	}
	reserved := isReservedName(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 0 && reserved, c == '.' && i == len(s)-1, !isSafeByte(c):
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// DecodeSegment reverses EncodeSegment. A segment EncodeSegment would not
// produce (an unsafe byte, malformed or lower-case escapes, escapes of bytes
// that need none) is an error wrapping ErrInvalidPath.
func DecodeSegment(s string) (string, error) {
	if s == emptySegment {
		return "", nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			if !isSafeByte(c) {
				return "", fmt.Errorf("%w: segment %q: byte %#x must be escaped", ErrInvalidPath, s, c)
			}
			b = append(b, c)
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("%w: segment %q: truncated escape", ErrInvalidPath, s)
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			return "", fmt.Errorf("%w: segment %q: bad escape", ErrInvalidPath, s)
		}
		b = append(b, byte(hi<<4|lo))
		i += 2
	}
	out := string(b)
	if EncodeSegment(out) != s {
		return "", fmt.Errorf("%w: segment %q is not canonically encoded", ErrInvalidPath, s)
	}
	return out, nil
}

const upperHex = "0123456789ABCDEF"

// unhex decodes one upper-case hex digit, -1 for anything else.
func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// isSafeByte reports bytes kept as they are in a segment.
func isSafeByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-_.@+=,", c) >= 0
}

// isReservedName reports Windows device names, which are reserved whatever
// their case and whatever extension follows ("nul.yaml").
func isReservedName(s string) bool {
	stem, _, _ := strings.Cut(s, ".")
	switch strings.ToUpper(stem) {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(stem) == 4 {
		prefix := strings.ToUpper(stem[:3])
		return (prefix == "COM" || prefix == "LPT") && stem[3] >= '0' && stem[3] <= '9'
	}
	return false
}
