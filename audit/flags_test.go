package audit_test

import (
	"errors"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/internal/option"
)

// TestDeclaredErrorsNameTheOption: a bad declared source names the option
// Options declares, as a flag by itself and as a key in a configuration.
func TestDeclaredErrorsNameTheOption(t *testing.T) {
	if got := option.NameOf[audit.Options]("Declared"); got != declared.OptionName {
		t.Fatalf("audit.Options declares %q, declared.OptionName is %q", got, declared.OptionName)
	}
	for _, tt := range []struct{ source, flag, key string }{
		{"", "--declared: a directory or Git URL is required", "audit.declared: a directory or Git URL is required"},
		{"ftp://host/repo", `--declared ftp://host/repo: unsupported protocol "ftp"`, `audit.declared: ftp://host/repo: unsupported protocol "ftp"`},
	} {
		_, err := declared.ParseSource(tt.source)
		if err == nil || err.Error() != tt.flag {
			t.Errorf("ParseSource(%q) = %v, want %s", tt.source, err, tt.flag)
			continue
		}
		if keyed := errors.Join(option.Keyed(err, "audit")...); keyed.Error() != tt.key {
			t.Errorf("as a key: %v, want %s", keyed, tt.key)
		}
	}
}
