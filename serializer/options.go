package serializer

import (
	"errors"

	"github.com/clusterscribe/clusterscribe/internal/option"
)

// RuleOptions are the normalization options a user gives (flags of
// record, audit, propose and restore, keys of run's configuration),
// declared once here.
type RuleOptions struct {
	DisableRules []string `json:"disable-rules" help:"default normalization rules to switch off, by name"`
	Drop         []string `json:"drop" help:"extra fields to drop (on both sides when comparing), as Kind.group:/json/pointer (or :/pointer for every kind); repeatable"`
}

// Options parses the rules: the one place --drop is parsed. A bad value
// is an option.Error naming its option (and, for drop, which value).
func (o RuleOptions) Options() (Options, error) {
	opts := Options{DisableRules: o.DisableRules}
	var errs []error
	for i, s := range o.Drop {
		rule, err := ParseRule(s)
		if err != nil {
			errs = append(errs, &option.Error{Name: option.NameOf[RuleOptions]("Drop"), List: true, Index: i, Value: s, Err: err})
			continue
		}
		opts.ExtraRules = append(opts.ExtraRules, rule)
	}
	if _, err := New(Options{DisableRules: o.DisableRules}); err != nil {
		errs = append(errs, &option.Error{Name: option.NameOf[RuleOptions]("DisableRules"), Err: err})
	}
	return opts, errors.Join(errs...)
}
