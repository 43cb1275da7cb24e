package testkit

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("short and stout"))
	}))
	t.Cleanup(srv.Close)
	if code, body := MustGet(t, srv.URL); code != http.StatusTeapot || body != "short and stout" {
		t.Errorf("MustGet = %d %q", code, body)
	}
	srv.Close()
	if _, _, err := Get(srv.URL); err == nil {
		t.Error("Get of a closed server succeeded")
	}
}
