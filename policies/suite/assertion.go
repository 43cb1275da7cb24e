package suite

import (
	"errors"
	"fmt"
	"regexp"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// errViolations is an assertion that does not hold.
var errViolations = errors.New("unexpected number of violations")

// validate checks the assertion's form: violations yes, no or a count, and
// a message that compiles.
func (a Assertion) validate() error {
	if v := a.Violations; v != nil {
		switch {
		case v.Type == intstr.Int && v.IntVal < 0,
			v.Type == intstr.String && v.StrVal != "yes" && v.StrVal != "no":
			return fmt.Errorf(`violations: %q is not a nonnegative integer, "yes" or "no"`, v.String())
		}
	}
	if a.Message != nil {
		if _, err := regexp.Compile(*a.Message); err != nil {
			return fmt.Errorf("message: %w", err)
		}
	}
	return nil
}

// check holds the assertion against the messages of a review's
// violations, with gator's wording when it fails.
func (a Assertion) check(messages []string) error {
	var re *regexp.Regexp
	if a.Message != nil {
		re = regexp.MustCompile(*a.Message) // validated when read
	}
	matching := 0
	for _, m := range messages {
		if re == nil || re.MatchString(m) {
			matching++
		}
	}
	containing := ""
	if a.Message != nil {
		containing = fmt.Sprintf(" containing %q", *a.Message)
	}
	v := intstr.FromString("yes")
	if a.Violations != nil {
		v = *a.Violations
	}
	var err error
	switch {
	case v.Type == intstr.Int && matching != int(v.IntVal):
		err = fmt.Errorf("%w: got %d violations%s but want exactly %d", errViolations, matching, containing, v.IntVal)
	case v.Type == intstr.String && v.StrVal == "yes" && matching == 0:
		err = fmt.Errorf("%w: got %d violations%s but want at least 1", errViolations, matching, containing)
	case v.Type == intstr.String && v.StrVal == "no" && matching > 0:
		err = fmt.Errorf("%w: got %d violations%s but want none", errViolations, matching, containing)
	}
	if err != nil {
		return fmt.Errorf("%w: got messages %q", err, messages)
	}
	return nil
}
