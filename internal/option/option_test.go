package option_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/internal/option"
)

type Inner struct {
	Token string `json:"token" help:"a token"`
}

type sample struct {
	Kind    string        `json:"kind" help:"-"`
	Name    string        `json:"name" short:"n" help:"a name"`
	Items   []string      `json:"items" help:"items"`
	Paths   []string      `json:"paths" flag:"array" help:"paths"`
	Wait    time.Duration `json:"wait" help:"a wait"`
	Inner   `json:",inline"`
	Section struct {
		On bool `json:"on" help:"on"`
	} `json:"section"`
	Runtime func() // no option
}

func TestWalkAndBind(t *testing.T) {
	s := sample{Name: "x", Wait: time.Second}
	var paths []string
	for _, o := range option.Walk(&s, "top") {
		paths = append(paths, o.Path)
	}
	if diff := cmp.Diff([]string{"top.name", "top.items", "top.paths", "top.wait", "top.token", "top.section.on"}, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	option.Bind(fs, "", &s)
	if err := fs.Parse([]string{"-n", "y", "--items", "a,b", "--paths", "c,d", "--wait", "2s", "--token", "t", "--section.on"}); err != nil {
		t.Fatal(err)
	}
	if s.Name != "y" || !cmp.Equal(s.Items, []string{"a", "b"}) || !cmp.Equal(s.Paths, []string{"c,d"}) ||
		s.Wait != 2*time.Second || s.Token != "t" || !s.Section.On {
		t.Errorf("flags not bound: %+v", s)
	}
	if f := fs.Lookup("name"); f.DefValue != "x" || f.Usage != "a name" {
		t.Errorf("--name: default %q, help %q", f.DefValue, f.Usage)
	}
	if fs.Lookup("kind") != nil {
		t.Error(`help:"-" made a flag`)
	}
}

// TestBindOptions binds part of a struct, one option's help reworded.
func TestBindOptions(t *testing.T) {
	s := sample{Name: "x"}
	var opts []option.Option
	for _, o := range option.Walk(&s, "") {
		if o.Path == "name" {
			o.Help = "the name here"
			opts = append(opts, o)
		}
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	option.BindOptions(fs, opts)
	if err := fs.Parse([]string{"-n", "y"}); err != nil {
		t.Fatal(err)
	}
	if s.Name != "y" {
		t.Errorf("--name not bound: %+v", s)
	}
	if f := fs.Lookup("name"); f.DefValue != "x" || f.Usage != "the name here" {
		t.Errorf("--name: default %q, help %q", f.DefValue, f.Usage)
	}
	if fs.Lookup("items") != nil {
		t.Error("an option left out was bound")
	}
}

func TestErrorNamesTheOptionAsWritten(t *testing.T) {
	err := errors.Join(
		&option.Error{Name: "drop", List: true, Index: 1, Value: "x", Err: errors.New("bad rule")},
		&option.Error{Name: "secrets", Err: errors.New(`"plain" is not one of redact, encrypt, omit`)},
		errors.New("something else"),
	)
	want := "--drop \"x\": bad rule\n--secrets: \"plain\" is not one of redact, encrypt, omit\nsomething else"
	if got := err.Error(); got != want {
		t.Errorf("as flags:\n%s\nwant\n%s", got, want)
	}
	var keyed []string
	for _, e := range option.Keyed(err, "record") {
		keyed = append(keyed, e.Error())
	}
	if diff := cmp.Diff([]string{"record.drop[1]: bad rule", `record.secrets: "plain" is not one of redact, encrypt, omit`, "something else"}, keyed); diff != "" {
		t.Errorf("as keys (-want +got):\n%s", diff)
	}
}

func TestNameOf(t *testing.T) {
	if got := option.NameOf[sample]("Wait"); got != "wait" {
		t.Errorf("NameOf(Wait) = %q", got)
	}
}
