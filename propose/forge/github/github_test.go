package github

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/forgetest"
	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// fakeGitHub implements the endpoints the forge uses, and nothing else:
//
//	GET   /repos/{owner}/{repo}/pulls?state=open&head={owner}:{branch}
//	POST  /repos/{owner}/{repo}/pulls
//	PATCH /repos/{owner}/{repo}/pulls/{number}          (title, body, state)
//	POST  /repos/{owner}/{repo}/issues/{number}/comments
//
// It checks the bearer token on every request.
type fakeGitHub struct {
	mu       sync.Mutex
	token    string
	pulls    map[int]map[string]any
	comments map[int][]string
	calls    []string
}

func newFake(token string) *fakeGitHub {
	return &fakeGitHub{token: token, pulls: map[int]map[string]any{}, comments: map[int][]string{}}
}

// Comments implements forgetest.Fake.
func (f *fakeGitHub) Comments(number int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.comments[number]
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"Bad credentials: ` + r.Header.Get("Authorization") + `"}`))
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 4 || parts[0] != "repos" || parts[1] != "shop" || parts[2] != "declared" {
		http.NotFound(w, r)
		return
	}
	var in map[string]any
	if r.Body != nil && r.Method != http.MethodGet {
		_ = json.NewDecoder(r.Body).Decode(&in)
	}
	reply := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	switch {
	case r.Method == http.MethodGet && len(parts) == 4 && parts[3] == "pulls":
		head := r.URL.Query().Get("head")
		out := []map[string]any{}
		for _, n := range sortedKeys(f.pulls) {
			pr := f.pulls[n]
			if pr["state"] == r.URL.Query().Get("state") && "shop:"+pr["head"].(map[string]any)["ref"].(string) == head {
				out = append(out, pr)
			}
		}
		reply(out)
	case r.Method == http.MethodPost && len(parts) == 4 && parts[3] == "pulls":
		n := len(f.pulls) + 1
		f.pulls[n] = map[string]any{
			"number": n, "state": "open", "title": in["title"], "body": in["body"],
			"html_url": "https://github.example/shop/declared/pull/" + strconv.Itoa(n),
			"head":     map[string]any{"ref": in["head"], "sha": "abc123"},
			"base":     map[string]any{"ref": in["base"]},
		}
		w.WriteHeader(http.StatusCreated)
		reply(f.pulls[n])
	case r.Method == http.MethodPatch && len(parts) == 5 && parts[3] == "pulls":
		n, _ := strconv.Atoi(parts[4])
		pr, ok := f.pulls[n]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for _, k := range []string{"title", "body", "state"} {
			if v, ok := in[k]; ok {
				pr[k] = v
			}
		}
		reply(pr)
	case r.Method == http.MethodPost && len(parts) == 6 && parts[3] == "issues" && parts[5] == "comments":
		n, _ := strconv.Atoi(parts[4])
		f.comments[n] = append(f.comments[n], in["body"].(string))
		w.WriteHeader(http.StatusCreated)
		reply(map[string]any{"id": 1, "body": in["body"]})
	default:
		http.NotFound(w, r)
	}
}

func sortedKeys(m map[int]map[string]any) []int {
	var out []int
	for i := 1; len(out) < len(m); i++ {
		if _, ok := m[i]; ok {
			out = append(out, i)
		}
	}
	return out
}

func TestForge(t *testing.T) {
	const token = "ghp_0123456789abcdef"
	forgetest.Check(t, forgetest.Client[*Forge]{
		Fake:  newFake(token),
		Token: token, New: New, Repo: "shop/declared",
		Want: forge.PullRequest{
			Number: 1, URL: "https://github.example/shop/declared/pull/1",
			Head: "clusterscribe/propose/prod/shop/deployment.apps/web", Base: "main", HeadSHA: "abc123",
		},
	})
}

func TestAPIURL(t *testing.T) {
	for web, want := range map[string]string{
		"https://github.com":           DefaultURL,
		"https://ghe.example.com":      "https://ghe.example.com/api/v3/",
		"https://ghe.example.com:8443": "https://ghe.example.com:8443/api/v3/",
	} {
		if got := APIURL(web); got != want {
			t.Errorf("APIURL(%q) = %q, want %q", web, got, want)
		}
	}
}
