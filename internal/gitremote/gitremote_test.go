package gitremote

import "testing"

func TestIsRemote(t *testing.T) {
	for s, want := range map[string]bool{
		"https://git.example.com/org/repo.git": true,
		"file:///srv/git/backup.git":           true,
		"git@github.com:org/repo.git":          true,
		"host:path/repo":                       true,
		"./backup":                             false,
		"/srv/backup":                          false,
		"backup":                               false,
		"backup/sub:dir":                       false,
		"C:dir":                                true, // as git reads it: scp form
	} {
		if got := IsRemote(s); got != want {
			t.Errorf("IsRemote(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestScrub(t *testing.T) {
	in := `clone https://alice:s3cret@git.example.com/r.git failed; ssh://git@host/r and http://tok@h/x`
	want := `clone https://git.example.com/r.git failed; ssh://host/r and http://h/x`
	if got := Scrub(in); got != want {
		t.Errorf("Scrub:\n got %s\nwant %s", got, want)
	}
	if Scheme("https://x/y") != "https://" || Scheme("x:y") != "" {
		t.Error("Scheme")
	}
}
