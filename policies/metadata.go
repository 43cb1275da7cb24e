package policies

import (
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Frameworks a control may belong to.
const (
	FrameworkCIS     = "CIS"
	FrameworkNSACISA = "NSA-CISA"
	FrameworkPSS     = "PSS"
)

// Dialects of policies.
const (
	DialectBundled    = "bundled"
	DialectConftest   = "conftest"
	DialectGatekeeper = "gatekeeper"
	// DialectVAP is a ValidatingAdmissionPolicy with one of its bindings.
	DialectVAP = "validatingadmissionpolicy"
)

// Policy describes one loaded policy.
type Policy struct {
	ID          string             `json:"id"`
	Title       string             `json:"title"`
	Severity    findings.Severity  `json:"severity"`
	Description string             `json:"description,omitempty"`
	Remediation string             `json:"remediation,omitempty"`
	Controls    []findings.Control `json:"controls,omitempty"`
	// File is where the policy is defined ("bundled:<id>" for the bundled
	// set).
	File string `json:"file"`
	// Dialect is bundled, conftest, gatekeeper or validatingadmissionpolicy.
	Dialect string `json:"dialect"`
	// Outcome is what a firing rule means: fail (deny, violation) or warn.
	Outcome findings.Outcome `json:"outcome"`
	// Match selects the objects the policy applies to; empty matches all.
	Match Match `json:"match,omitzero"`
}

// metadata is what a # METADATA block (or a Constraint) tells about a
// policy; empty fields are filled by defaults.
type metadata struct {
	id, title, description, remediation string
	severity                            findings.Severity
	controls                            []findings.Control
	match                               any
	requires                            string
}

// fromAnnotations merges OPA annotations, earlier ones winning field by
// field. Custom keys: id, severity, remediation, controls, match, requires.
func fromAnnotations(list []*ast.Annotations) (metadata, error) {
	var m metadata
	for _, a := range list {
		if a == nil {
			continue
		}
		setIfEmpty(&m.title, a.Title)
		setIfEmpty(&m.description, a.Description)
		c := a.Custom
		if c == nil {
			continue
		}
		for _, key := range []string{"id", "remediation", "severity", "requires"} {
			v, ok := c[key]
			if !ok {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return m, fmt.Errorf("%s: custom.%s: want a string, got %T", locationOf(a), key, v)
			}
			switch key {
			case "id":
				setIfEmpty(&m.id, s)
			case "remediation":
				setIfEmpty(&m.remediation, s)
			case "severity":
				if m.severity == "" {
					sev, err := parseSeverity(s)
					if err != nil {
						return m, fmt.Errorf("%s: custom.severity: %w", locationOf(a), err)
					}
					m.severity = sev
				}
			case "requires":
				setIfEmpty(&m.requires, s)
			}
		}
		if v, ok := c["controls"]; ok && m.controls == nil {
			controls, err := parseControls(v)
			if err != nil {
				return m, fmt.Errorf("%s: custom.controls: %w", locationOf(a), err)
			}
			m.controls = controls
		}
		if v, ok := c["match"]; ok && m.match == nil {
			m.match = v
		}
	}
	return m, nil
}

func locationOf(a *ast.Annotations) string {
	if a.Location == nil {
		return "METADATA"
	}
	return fmt.Sprintf("%s:%d:%d", a.Location.File, a.Location.Row, a.Location.Col)
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = strings.TrimSpace(v)
	}
}

func parseSeverity(s string) (findings.Severity, error) {
	sev := findings.Severity(strings.ToLower(strings.TrimSpace(s)))
	switch sev {
	case findings.Critical, findings.High, findings.Medium, findings.Low, findings.Info:
		return sev, nil
	}
	return "", fmt.Errorf("%q is not one of critical, high, medium, low, info", s)
}

// parseControls reads controls as a list of {framework, id, title} objects
// or of "FRAMEWORK:ID" strings.
func parseControls(v any) ([]findings.Control, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list, got %T", v)
	}
	out := make([]findings.Control, 0, len(list))
	for i, item := range list {
		var c findings.Control
		switch t := item.(type) {
		case string:
			fw, id, ok := strings.Cut(t, ":")
			if !ok {
				return nil, fmt.Errorf("[%d]: %q is not FRAMEWORK:ID", i, t)
			}
			c = findings.Control{Framework: strings.TrimSpace(fw), ID: strings.TrimSpace(id)}
		case map[string]any:
			for _, k := range []string{"framework", "id", "title"} {
				if s, ok := t[k]; ok {
					if _, isString := s.(string); !isString {
						return nil, fmt.Errorf("[%d].%s: want a string, got %T", i, k, s)
					}
				}
			}
			fw, _ := t["framework"].(string)
			id, _ := t["id"].(string)
			title, _ := t["title"].(string)
			c = findings.Control{Framework: fw, ID: id, Title: title}
		default:
			return nil, fmt.Errorf("[%d]: want an object or a string, got %T", i, item)
		}
		if err := checkControl(c); err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func checkControl(c findings.Control) error {
	if !slices.Contains([]string{FrameworkCIS, FrameworkNSACISA, FrameworkPSS}, c.Framework) {
		return fmt.Errorf("framework %q is not one of %s, %s, %s", c.Framework, FrameworkCIS, FrameworkNSACISA, FrameworkPSS)
	}
	if c.ID == "" {
		return fmt.Errorf("%s control without id", c.Framework)
	}
	return nil
}
