package main

import (
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/option"
)

// bindGitAuthFlags adds the flags every command that reads or writes Git
// shares. tokenDefault, when set, says where the token comes from when
// neither token flag is given (propose reuses the forge token).
func bindGitAuthFlags(fs *pflag.FlagSet, a *committer.Auth, tokenDefault string) {
	option.Bind(fs, "", a)
	if tokenDefault == "" {
		return
	}
	for _, name := range []string{"git-token-file", "git-token-env"} {
		fs.Lookup(name).Usage += " (default: " + tokenDefault + ")"
	}
}
