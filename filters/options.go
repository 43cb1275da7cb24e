package filters

import (
	"strings"

	"github.com/spf13/pflag"
)

// Flag names, also used to name the option in errors.
const (
	flagIncludeKinds      = "include-kinds"
	flagExcludeKinds      = "exclude-kinds"
	flagNamespaces        = "namespaces"
	flagExcludeNamespaces = "exclude-namespaces"
	flagSelector          = "selector"
	flagIncludeOwned      = "include-owned"
	flagIncludeExcluded   = "include-excluded"
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
	IncludeKinds []string
	// ExcludeKinds drops kinds matching one of these patterns; it wins over
	// IncludeKinds.
	ExcludeKinds []string
	// Namespaces, when not empty, keeps only namespaced objects whose
	// namespace matches one of these globs (path.Match syntax), and only
	// Namespace objects whose name matches. Other cluster-scoped objects are
	// not affected.
	Namespaces []string
	// ExcludeNamespaces drops what matches one of these globs, with the same
	// scope as Namespaces; it wins over Namespaces.
	ExcludeNamespaces []string
	// Selector is a label selector (labels.Parse syntax) every object must
	// match; empty matches everything.
	Selector string
	// IncludeOwned keeps controller-owned children (Pods of a ReplicaSet,
	// ReplicaSets of a Deployment, ...). By default they are dropped and their
	// parent is recorded instead. Same as Include containing "owned".
	IncludeOwned bool
	// Include re-enables default exclusions by name (see DefaultExclusions);
	// "all" switches them all off.
	Include []string
}

// BindFlags registers the options as flags on fs, with the current values as
// defaults.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.IncludeKinds, flagIncludeKinds, o.IncludeKinds,
		`keep only these kinds: "kind", "kind.group" or "*.group" (e.g. Deployment,certificate.cert-manager.io,*.apps; "kind.core" for the core group only)`)
	fs.StringSliceVar(&o.ExcludeKinds, flagExcludeKinds, o.ExcludeKinds,
		"drop these kinds (same syntax as --"+flagIncludeKinds+"; wins over it)")
	fs.StringSliceVar(&o.Namespaces, flagNamespaces, o.Namespaces,
		"keep only these namespaces, as globs (e.g. team-*); applies to namespaced objects and to Namespace objects by name")
	fs.StringSliceVar(&o.ExcludeNamespaces, flagExcludeNamespaces, o.ExcludeNamespaces,
		"drop these namespaces, as globs (e.g. kube-*); wins over --"+flagNamespaces)
	fs.StringVarP(&o.Selector, flagSelector, "l", o.Selector,
		"keep only objects whose labels match this selector (e.g. app=web,tier!=cache)")
	fs.BoolVar(&o.IncludeOwned, flagIncludeOwned, o.IncludeOwned,
		"keep controller-owned children (Pods, ReplicaSets, Jobs, ...) instead of recording only their parent")
	fs.StringSliceVar(&o.Include, flagIncludeExcluded, o.Include,
		"default exclusions to keep anyway: "+IncludeAll+" or any of "+strings.Join(exclusionNames(), ","))
}
