package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {Perm: 0o755, NoSync: true}} {
		if err := WriteBytes(p, o, []byte("new")); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != "new" {
			t.Fatalf("content %q, %v; want new", got, err)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := o.Perm
		if want == 0 {
			want = 0o644
		}
		if st.Mode().Perm() != want {
			t.Errorf("mode %v, want %v", st.Mode().Perm(), want)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %v (%v), want the file alone", entries, err)
	}
}

func TestFailedWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, Options{}, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "old" {
		t.Errorf("content %q after a failed write, want old", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a temporary file was left: %v", entries)
	}
	if err := WriteBytes(filepath.Join(dir, "none", "x"), Options{}, nil); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
