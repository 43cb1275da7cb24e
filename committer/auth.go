package committer

import (
	"fmt"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Auth holds the credentials for the remote: gitremote.Auth, the one
// definition every command that reaches a Git remote shares.
type Auth = gitremote.Auth

// newCredentials checks a against the remote r; its errors wrap
// ErrInvalidOptions.
func newCredentials(a Auth, r gitremote.Remote) (*gitremote.Credentials, error) {
	c, err := gitremote.NewCredentials(a, r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	return c, nil
}
