package filters

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/internal/option"
)

// Option names, also used to name the option in errors: declared once,
// by the tags of Options.
var (
	flagIncludeKinds      = option.NameOf[Options]("IncludeKinds")
	flagExcludeKinds      = option.NameOf[Options]("ExcludeKinds")
	flagNamespaces        = option.NameOf[Options]("Namespaces")
	flagExcludeNamespaces = option.NameOf[Options]("ExcludeNamespaces")
	flagSelector          = option.NameOf[Options]("Selector")
	flagIncludeExcluded   = option.NameOf[Options]("Include")
)

// IncludeAll in [Options.Include] switches every default exclusion off.
const IncludeAll = "all"

// Options selects the objects to keep. The zero value keeps every object
// except those dropped by the default exclusions.
type Options struct {
	// IncludeKinds, when not empty, keeps only kinds matching one of these
	// patterns: "kind", "kind.group" or "*.group". The kind part is
	// case-insensitive, matches the plural resource name too and may hold "*";
	// without a group it matches every group, "kind.core" only the core group.
	IncludeKinds []string `json:"include-kinds" help:"keep only these kinds: \"kind\", \"kind.group\" or \"*.group\" (e.g. Deployment,certificate.cert-manager.io,*.apps; \"kind.core\" for the core group only)"`
	// ExcludeKinds drops kinds matching one of these patterns; it wins over
	// IncludeKinds.
	ExcludeKinds []string `json:"exclude-kinds" help:"drop these kinds (same syntax as include-kinds; wins over it)"`
	// Namespaces, when not empty, keeps only namespaced objects whose
	// namespace matches one of these globs (path.Match syntax), and only
	// Namespace objects whose name matches. Other cluster-scoped objects are
	// not affected.
	Namespaces []string `json:"namespaces" help:"keep only these namespaces, as globs (e.g. team-*); applies to namespaced objects and to Namespace objects by name"`
	// ExcludeNamespaces drops what matches one of these globs, with the same
	// scope as Namespaces; it wins over Namespaces.
	ExcludeNamespaces []string `json:"exclude-namespaces" help:"drop these namespaces, as globs (e.g. kube-*); wins over namespaces"`
	// Selector is a label selector (labels.Parse syntax) every object must
	// match; empty matches everything.
	Selector string `json:"selector" short:"l" help:"keep only objects whose labels match this selector (e.g. app=web,tier!=cache)"`
	// IncludeOwned keeps controller-owned children (Pods of a ReplicaSet,
	// ReplicaSets of a Deployment, ...). By default they are dropped and their
	// parent is recorded instead. Same as Include containing "owned".
	IncludeOwned bool `json:"include-owned" help:"keep controller-owned children (Pods, ReplicaSets, Jobs, ...) instead of recording only their parent"`
	// Include re-enables default exclusions by name (see DefaultExclusions);
	// "all" switches them all off.
	Include []string `json:"include-excluded" help:"default exclusions to keep anyway"`
}

// BindFlags registers the options as flags on fs, with the current values as
// defaults.
func (o *Options) BindFlags(fs *pflag.FlagSet) { option.Bind(fs, "", o) }

// OptionHelp completes the help of include-excluded with the names of the
// default exclusions.
func (*Options) OptionHelp(name, help string) string {
	if name == flagIncludeExcluded {
		return help + ": " + IncludeAll + " or any of " + strings.Join(exclusionNames(), ",")
	}
	return help
}
