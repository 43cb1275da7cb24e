package testkit

import (
	"testing"

	"filippo.io/age"
)

// AgeIdentity is a new age key pair for a test that encrypts Secrets.
func AgeIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatalf("age key: %v", err)
	}
	return id
}
