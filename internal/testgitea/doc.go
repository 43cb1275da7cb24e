// Package testgitea runs a real Gitea server on 127.0.0.1 for the tests of
// propose: a throwaway work directory, an sqlite database, an admin user and
// an access token with every scope. The server is built from source by
// `make gitea`; when it is missing, Start fails and says which command builds
// it. Nothing is skipped and nothing outlives Stop.
package testgitea
