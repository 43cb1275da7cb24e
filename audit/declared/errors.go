package declared

import "errors"

var (
	// ErrNoSource is returned when --declared is empty.
	ErrNoSource = errors.New("a directory or Git URL is required")
	// ErrNoManifests is returned when the declared source holds no
	// Kubernetes object and no problem explains why: auditing against it
	// would report every live object as unmanaged.
	ErrNoManifests = errors.New("no Kubernetes manifests found")
)
