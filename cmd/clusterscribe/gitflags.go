package main

import (
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/committer"
)

// bindGitAuthFlags adds the flags every command that reads or writes Git
// shares. tokenDefault, when set, says where the token comes from when
// neither token flag is given (propose reuses the forge token).
func bindGitAuthFlags(fs *pflag.FlagSet, a *committer.Auth, tokenDefault string) {
	note := ""
	if tokenDefault != "" {
		note = " (default: " + tokenDefault + ")"
	}
	fs.StringVar(&a.Username, "git-username", "", "user name for https remotes (default: x-access-token) or ssh remotes (default: git)")
	fs.StringVar(&a.TokenFile, "git-token-file", "", "file holding the https token"+note)
	fs.StringVar(&a.TokenEnv, "git-token-env", "", "environment variable holding the https token"+note)
	fs.StringVar(&a.SSHKeyFile, "git-ssh-key", "", "private key file for ssh remotes")
	fs.StringVar(&a.SSHKnownHosts, "git-known-hosts", "", "known_hosts file for ssh remotes")
}
