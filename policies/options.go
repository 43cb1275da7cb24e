package policies

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// DefaultTimeout bounds the evaluation of one policy on one object.
const DefaultTimeout = 5 * time.Second

// SystemNamespaces are the namespaces Kubernetes itself runs in; callers
// that audit a live cluster usually pass them as Params.ExcludedNamespaces.
var SystemNamespaces = []string{"kube-system", "kube-public", "kube-node-lease"}

// Options configure Load.
type Options struct {
	// Dirs are user policy directories (or single files): Rego in the
	// conftest dialect and Gatekeeper ConstraintTemplate/Constraint YAML.
	Dirs []string
	// NoBundled leaves the bundled policy set out.
	NoBundled bool
	// Params configure the bundled policies.
	Params Params
	// Timeout bounds the evaluation of one policy on one object (default
	// DefaultTimeout). A policy that runs longer gives an error result for
	// that object; the rest of the run continues.
	Timeout time.Duration
	// Parallelism is how many objects are evaluated at once (default: the
	// number of CPUs).
	Parallelism int
	// Logger receives debug output (print statements of policies, skipped
	// files); nil discards it.
	Logger *slog.Logger
	// OmitPasses leaves the objects each policy passed out of
	// PolicyStat.Passed (they cost memory on large clusters; PolicyReports
	// then carry no pass results).
	OmitPasses bool
}

// Params are the parameters of the bundled policies.
type Params struct {
	// AllowedRegistries lists the image registries (or registry/path
	// prefixes) images may come from: "registry.example.com",
	// "ghcr.io/acme", "docker.io/library". Images from Docker Hub without a
	// registry are read as docker.io/... . Empty switches the
	// image-registry policy off.
	AllowedRegistries []string
	// RequiredLabels are the labels every workload, Namespace, Service and
	// Ingress must carry. Empty switches the required-labels policy off.
	RequiredLabels []LabelRequirement
	// AllowedCapabilities may be added to containers without a finding
	// (default: NET_BIND_SERVICE, as in the restricted Pod Security
	// Standard).
	AllowedCapabilities []string
	// ExcludedNamespaces (globs with a leading or trailing "*") are not
	// evaluated by the bundled policies: objects in them, and Namespace
	// objects of that name.
	ExcludedNamespaces []string
	// Disable switches bundled policies off by id.
	Disable []string
}

// LabelRequirement is one required label.
type LabelRequirement struct {
	Key string `json:"key"`
	// AllowedRegex, when set, is a regular expression the value must match
	// (somewhere in the value, as Gatekeeper's k8srequiredlabels does).
	AllowedRegex string `json:"allowedRegex,omitempty"`
}

// ParseLabelRequirement parses "key" or "key=regex".
func ParseLabelRequirement(s string) (LabelRequirement, error) {
	key, re, _ := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if key == "" {
		return LabelRequirement{}, fmt.Errorf("label requirement %q: empty key", s)
	}
	if _, err := regexp.Compile(re); err != nil {
		return LabelRequirement{}, fmt.Errorf("label requirement %q: %w", s, err)
	}
	return LabelRequirement{Key: key, AllowedRegex: re}, nil
}

func (l LabelRequirement) String() string {
	if l.AllowedRegex == "" {
		return l.Key
	}
	return l.Key + "=" + l.AllowedRegex
}

// Flag names.
const (
	flagPolicies           = "policies"
	flagNoBundled          = "no-bundled"
	flagAllowedRegistries  = "allowed-registries"
	flagRequiredLabels     = "required-labels"
	flagAllowedCaps        = "allowed-capabilities"
	flagPolicyExcludedNS   = "policy-exclude-namespaces"
	flagDisablePolicies    = "disable-policies"
	flagPolicyTimeout      = "policy-timeout"
	flagPolicyParallelism  = "policy-parallelism"
	flagPolicyReportPasses = "policy-report-passes"
	defaultAllowedCapsNote = "NET_BIND_SERVICE"
)

// BindFlags registers the options as flags on fs.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&o.Dirs, flagPolicies, o.Dirs,
		"directory (or file) of user policies: Rego with deny/warn/violation rules (conftest style) and Gatekeeper ConstraintTemplate + Constraint YAML; repeatable")
	fs.BoolVar(&o.NoBundled, flagNoBundled, o.NoBundled, "evaluate only the policies given with --"+flagPolicies)
	fs.StringSliceVar(&o.Params.AllowedRegistries, flagAllowedRegistries, o.Params.AllowedRegistries,
		"registries (or registry/path prefixes) images may come from; switches the image-registry policy on")
	fs.Var(&labelRequirementsValue{&o.Params.RequiredLabels}, flagRequiredLabels,
		`labels workloads, Namespaces, Services and Ingresses must carry, as key or key=regex; switches the required-labels policy on; repeatable`)
	fs.StringSliceVar(&o.Params.AllowedCapabilities, flagAllowedCaps, o.Params.AllowedCapabilities,
		"capabilities containers may add without a finding (default "+defaultAllowedCapsNote+")")
	fs.StringSliceVar(&o.Params.ExcludedNamespaces, flagPolicyExcludedNS, o.Params.ExcludedNamespaces,
		`namespaces the bundled policies skip (globs with a leading or trailing "*", e.g. kube-*)`)
	fs.StringSliceVar(&o.Params.Disable, flagDisablePolicies, o.Params.Disable, "bundled policies to switch off, by id")
	fs.DurationVar(&o.Timeout, flagPolicyTimeout, DefaultTimeout, "time allowed to one policy on one object")
	fs.IntVar(&o.Parallelism, flagPolicyParallelism, 0, "objects evaluated at once (default: number of CPUs)")
	fs.Var(&invertedBool{&o.OmitPasses}, flagPolicyReportPasses,
		"record the objects each policy passed, so PolicyReports carry pass results and a true summary.pass")
	fs.Lookup(flagPolicyReportPasses).NoOptDefVal = "true"
}

// invertedBool is a boolean flag that sets the negation of its value.
type invertedBool struct{ dst *bool }

func (v *invertedBool) String() string {
	if v.dst == nil {
		return "true"
	}
	return strconv.FormatBool(!*v.dst)
}

func (v *invertedBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*v.dst = !b
	return nil
}

func (*invertedBool) Type() string { return "bool" }

// labelRequirementsValue is the pflag.Value of --required-labels.
type labelRequirementsValue struct{ dst *[]LabelRequirement }

func (v *labelRequirementsValue) String() string {
	if v.dst == nil {
		return ""
	}
	parts := make([]string, len(*v.dst))
	for i, l := range *v.dst {
		parts[i] = l.String()
	}
	return strings.Join(parts, ",")
}

func (v *labelRequirementsValue) Set(s string) error {
	l, err := ParseLabelRequirement(s)
	if err != nil {
		return err
	}
	*v.dst = append(*v.dst, l)
	return nil
}

func (*labelRequirementsValue) Type() string { return "key[=regex]" }

// validate checks the options and fills defaults.
func (o *Options) validate() error {
	var errs []error
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("--%s: must not be negative", flagPolicyTimeout))
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Parallelism < 0 {
		errs = append(errs, fmt.Errorf("--%s: must not be negative", flagPolicyParallelism))
	}
	if o.NoBundled && len(o.Dirs) == 0 {
		errs = append(errs, fmt.Errorf("--%s needs at least one --%s", flagNoBundled, flagPolicies))
	}
	for _, l := range o.Params.RequiredLabels {
		if _, err := ParseLabelRequirement(l.String()); err != nil || l.Key == "" {
			errs = append(errs, fmt.Errorf("--%s: %q is not a valid label requirement", flagRequiredLabels, l.String()))
		}
	}
	for _, r := range o.Params.AllowedRegistries {
		if strings.TrimSpace(r) == "" {
			errs = append(errs, fmt.Errorf("--%s: empty registry", flagAllowedRegistries))
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return errors.Join(errs...)
}

// paramsDocument is Params as the bundled policies read them from
// data.clusterscribe.params.
func (p Params) document() map[string]any {
	caps := p.AllowedCapabilities
	if caps == nil {
		caps = []string{"NET_BIND_SERVICE"}
	}
	labels := make([]any, len(p.RequiredLabels))
	for i, l := range p.RequiredLabels {
		labels[i] = map[string]any{"key": l.Key, "allowedRegex": l.AllowedRegex}
	}
	return map[string]any{
		"allowedRegistries":   toAnySlice(p.AllowedRegistries),
		"requiredLabels":      labels,
		"allowedCapabilities": toAnySlice(caps),
	}
}

func toAnySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
