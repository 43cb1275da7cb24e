package main

import (
	"os"
	"path/filepath"
)

// Environment variables flags fall back to, as other tools read them.
const (
	envSOPSAgeKeyFile = "SOPS_AGE_KEY_FILE"
	envGitHubToken    = "GITHUB_TOKEN"
	envGitLabToken    = "GITLAB_TOKEN"
	envGiteaToken     = "GITEA_TOKEN"
)

// forgeTokenEnv is the variable each forge's token is read from when
// neither --token-file nor --token-env is given.
var forgeTokenEnv = map[string]string{"github": envGitHubToken, "gitlab": envGitLabToken, "gitea": envGiteaToken}

// sopsAgeKeyFile returns $SOPS_AGE_KEY_FILE, or the file sops reads by
// default when it exists (~/.config/sops/age/keys.txt).
func sopsAgeKeyFile() string {
	if f := os.Getenv(envSOPSAgeKeyFile); f != "" {
		return f
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	f := filepath.Join(dir, "sops", "age", "keys.txt")
	if _, err := os.Stat(f); err != nil {
		return ""
	}
	return f
}
