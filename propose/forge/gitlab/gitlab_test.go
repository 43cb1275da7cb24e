package gitlab

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

// fakeGitLab implements the endpoints the forge uses, and nothing else:
//
//	GET  /api/v4/projects/{id}/merge_requests?state=opened&source_branch={branch}
//	POST /api/v4/projects/{id}/merge_requests
//	PUT  /api/v4/projects/{id}/merge_requests/{iid}         (title, description, state_event)
//	POST /api/v4/projects/{id}/merge_requests/{iid}/notes
//
// {id} is the project's full path, URL-encoded. Every request must carry
// the PRIVATE-TOKEN header.
type fakeGitLab struct {
	mu    sync.Mutex
	token string
	mrs   []map[string]any
	notes map[int][]string
}

// Comments implements forgetest.Fake.
func (f *fakeGitLab) Comments(number int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.notes[number]
}

const project = "platform%2Fgitops%2Fdeclared"

func (f *fakeGitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("PRIVATE-TOKEN") != f.token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"401 Unauthorized ` + r.Header.Get("PRIVATE-TOKEN") + `"}`))
		return
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v4/projects/"+project+"/merge_requests")
	if !ok {
		http.NotFound(w, r)
		return
	}
	var in map[string]any
	if r.Method != http.MethodGet {
		_ = json.NewDecoder(r.Body).Decode(&in)
	}
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case r.Method == http.MethodGet && rest == "":
		out := []map[string]any{}
		for _, mr := range f.mrs {
			if mr["state"] == r.URL.Query().Get("state") && mr["source_branch"] == r.URL.Query().Get("source_branch") {
				out = append(out, mr)
			}
		}
		reply(http.StatusOK, out)
	case r.Method == http.MethodPost && rest == "":
		iid := len(f.mrs) + 1
		mr := map[string]any{
			"id": 1000 + iid, "iid": iid, "project_id": 7, "source_project_id": 7, "state": "opened",
			"title": in["title"], "description": in["description"],
			"source_branch": in["source_branch"], "target_branch": in["target_branch"], "sha": "def456",
			"web_url": "https://gitlab.example/platform/gitops/declared/-/merge_requests/" + strconv.Itoa(iid),
		}
		f.mrs = append(f.mrs, mr)
		reply(http.StatusCreated, mr)
	case r.Method == http.MethodPut && len(parts) == 1:
		iid, _ := strconv.Atoi(parts[0])
		if iid < 1 || iid > len(f.mrs) {
			http.NotFound(w, r)
			return
		}
		mr := f.mrs[iid-1]
		for _, k := range []string{"title", "description"} {
			if v, ok := in[k]; ok {
				mr[k] = v
			}
		}
		if in["state_event"] == "close" {
			mr["state"] = "closed"
		}
		reply(http.StatusOK, mr)
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "notes":
		iid, _ := strconv.Atoi(parts[0])
		f.notes[iid] = append(f.notes[iid], in["body"].(string))
		reply(http.StatusCreated, map[string]any{"id": 1, "body": in["body"]})
	default:
		http.NotFound(w, r)
	}
}

func TestForge(t *testing.T) {
	const token = "glpat-0123456789abcdef"
	forgetest.Check(t, forgetest.Client[*Forge]{
		Fake:  &fakeGitLab{token: token, notes: map[int][]string{}},
		Token: token, New: New, Repo: "platform/gitops/declared",
		Want: forge.PullRequest{
			Number: 1, URL: "https://gitlab.example/platform/gitops/declared/-/merge_requests/1",
			Head: "clusterscribe/propose/prod/_all", Base: "main", HeadSHA: "def456",
		},
	})
}
