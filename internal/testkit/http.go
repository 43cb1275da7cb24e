package testkit

import (
	"io"
	"net/http"
	"testing"
)

// client bounds every request: a server that hangs fails the test
// instead of holding it until go test's timeout.
var client = &http.Client{Timeout: Patience}

// Get sends GET url and returns the status code and the body.
func Get(url string) (int, string, error) {
	resp, err := client.Get(url) //nolint:noctx // bounded by client's timeout
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// MustGet is Get that fails the test when no response comes.
func MustGet(t testing.TB, url string) (int, string) {
	t.Helper()
	code, body, err := Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return code, body
}
