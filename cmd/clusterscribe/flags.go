package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/audit/ignore"
	"github.com/clusterscribe/clusterscribe/record"
)

// bindClusterName adds --cluster-name with the one default every command
// that names the cluster shares (record's directory, audit's report,
// propose's branches): "default".
func bindClusterName(fs *pflag.FlagSet, dst *string, what string) {
	fs.StringVar(dst, "cluster-name", record.DefaultCluster, what)
}

// bindIgnoreRules adds --ignore-rules.
func bindIgnoreRules(fs *pflag.FlagSet, dst *string) {
	fs.StringVar(dst, "ignore-rules", "", "what to ignore when comparing, as Argo CD writes it: a file holding an Application or ApplicationSet "+
		"(spec.ignoreDifferences), the argocd-cm ConfigMap (resource.customizations.ignoreDifferences.*), or a plain ignoreDifferences list")
}

// loadIgnoreRules reads --ignore-rules; empty means none.
func loadIgnoreRules(file string) ([]ignore.Rule, error) {
	if file == "" {
		return nil, nil
	}
	rules, err := ignore.LoadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--ignore-rules: %w", err)
	}
	return rules, nil
}

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
