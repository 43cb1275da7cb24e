package policies

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/internal/option"
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
	Dirs []string `json:"policies" flag:"array" help:"directory (or file) of user policies: Rego with deny/warn/violation rules (conftest style) and Gatekeeper ConstraintTemplate + Constraint YAML; repeatable"`
	// NoBundled leaves the bundled policy set out.
	NoBundled bool `json:"no-bundled" help:"evaluate only the policies given with policies"`
	// Params configure the bundled policies.
	Params Params `json:",inline"`
	// Timeout bounds the evaluation of one policy on one object (default
	// DefaultTimeout). A policy that runs longer gives an error result for
	// that object; the rest of the run continues.
	Timeout time.Duration `json:"policy-timeout" help:"time allowed to one policy on one object"`
	// Parallelism is how many objects are evaluated at once (default: the
	// number of CPUs).
	Parallelism int `json:"policy-parallelism" help:"objects evaluated at once (default: number of CPUs)"`
	// Logger receives debug output (print statements of policies, skipped
	// files); nil discards it.
	Logger *slog.Logger
	// OmitPasses leaves the objects each policy passed out of
	// PolicyStat.Passed (they cost memory on large clusters; PolicyReports
	// then carry no pass results).
	OmitPasses bool `json:"policy-report-passes" negate:"true" help:"record the objects each policy passed, so PolicyReports carry pass results and a true summary.pass"`
}

// Params are the parameters of the bundled policies.
type Params struct {
	// AllowedRegistries lists the image registries (or registry/path
	// prefixes) images may come from: "registry.example.com",
	// "ghcr.io/acme", "docker.io/library". Images from Docker Hub without a
	// registry are read as docker.io/... . Empty switches the
	// image-registry policy off.
	AllowedRegistries []string `json:"allowed-registries" help:"registries (or registry/path prefixes) images may come from; switches the image-registry policy on"`
	// RequiredLabels are the labels every workload, Namespace, Service and
	// Ingress must carry. Empty switches the required-labels policy off.
	RequiredLabels LabelRequirements `json:"required-labels" help:"labels workloads, Namespaces, Services and Ingresses must carry, as key or key=regex; switches the required-labels policy on; repeatable"`
	// AllowedCapabilities may be added to containers without a finding
	// (default: NET_BIND_SERVICE, as in the restricted Pod Security
	// Standard).
	AllowedCapabilities []string `json:"allowed-capabilities" help:"capabilities containers may add without a finding (default NET_BIND_SERVICE)"`
	// ExcludedNamespaces (globs with a leading or trailing "*") are not
	// evaluated by the bundled policies: objects in them, and Namespace
	// objects of that name.
	ExcludedNamespaces []string `json:"policy-exclude-namespaces" help:"namespaces the bundled policies skip (globs with a leading or trailing \"*\", e.g. kube-*)"`
	// Disable switches bundled policies off by id.
	Disable []string `json:"disable-policies" help:"bundled policies to switch off, by id"`
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

// Option names, declared once by the tags of Options and Params.
var (
	flagPolicies          = option.NameOf[Options]("Dirs")
	flagNoBundled         = option.NameOf[Options]("NoBundled")
	flagAllowedRegistries = option.NameOf[Params]("AllowedRegistries")
	flagRequiredLabels    = option.NameOf[Params]("RequiredLabels")
	flagPolicyTimeout     = option.NameOf[Options]("Timeout")
	flagPolicyParallelism = option.NameOf[Options]("Parallelism")
	flagDisablePolicies   = option.NameOf[Params]("Disable")
)

// DefaultOptions are the options with their defaults.
func DefaultOptions() Options { return Options{Timeout: DefaultTimeout} }

// BindFlags registers the options as flags on fs, with the current values
// as defaults (see DefaultOptions).
func (o *Options) BindFlags(fs *pflag.FlagSet) { option.Bind(fs, "", o) }

// LabelRequirements are the values of required-labels: a flag parses each
// value it is given, a configuration file a list of strings.
type LabelRequirements []LabelRequirement

// String renders the requirements as the flag takes them.
func (l *LabelRequirements) String() string {
	parts := make([]string, len(*l))
	for i, r := range *l {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// Set parses one more requirement.
func (l *LabelRequirements) Set(s string) error {
	r, err := ParseLabelRequirement(s)
	if err != nil {
		return err
	}
	*l = append(*l, r)
	return nil
}

// Type names the values in the help of the flag.
func (*LabelRequirements) Type() string { return "key[=regex]" }

// UnmarshalJSON reads a list of "key" or "key=regex"; a bad one is an
// option.Error naming it.
func (l *LabelRequirements) UnmarshalJSON(data []byte) error {
	var values []string
	if err := json.Unmarshal(data, &values); err != nil {
		return err
	}
	out := make(LabelRequirements, 0, len(values))
	for i, s := range values {
		r, err := ParseLabelRequirement(s)
		if err != nil {
			return &option.Error{Name: flagRequiredLabels, List: true, Index: i, Value: s, Err: err}
		}
		out = append(out, r)
	}
	*l = out
	return nil
}

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
