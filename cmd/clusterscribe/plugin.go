package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// pluginPrefix is how kubectl finds plugins: kubectl-clusterscribe on the
// PATH runs as `kubectl clusterscribe`.
const pluginPrefix = "kubectl-"

// useInvokedName makes help and usage say the name the binary was called
// by: `kubectl clusterscribe` when run as the kubectl plugin
// (kubectl-clusterscribe, also through krew's symlink), the command's own
// name otherwise.
func useInvokedName(cmd *cobra.Command, arg0 string) {
	// Either separator: a Windows path reads the same on every OS.
	base := arg0[strings.LastIndexAny(arg0, `/\`)+1:]
	base = strings.TrimSuffix(base, ".exe")
	name, ok := strings.CutPrefix(base, pluginPrefix)
	if !ok || name == "" {
		return
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	// kubectl turns dashes of a plugin's file name into spaces or keeps
	// them; underscores stand for dashes (kubectl-foo_bar is `kubectl foo-bar`).
	display := "kubectl " + strings.ReplaceAll(name, "_", "-")
	cmd.Annotations[cobra.CommandDisplayNameAnnotation] = display
	renameExamples(cmd, cmd.Name(), display)
}

// renameExamples makes every command's examples call the binary by the
// name it was invoked as.
func renameExamples(cmd *cobra.Command, from, to string) {
	cmd.Example = strings.NewReplacer("  "+from+" ", "  "+to+" ", "| "+from+" ", "| "+to+" ").Replace(cmd.Example)
	for _, c := range cmd.Commands() {
		renameExamples(c, from, to)
	}
}
