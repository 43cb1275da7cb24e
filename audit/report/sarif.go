package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/version"
)

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// sarifFingerprint names the partialFingerprints entry that keeps an
	// alert the same alert across runs (GitHub needs one per result).
	sarifFingerprint = "clusterscribe/v1"
)

// driftRules describe the drift finding types as SARIF rules.
var driftRules = map[findings.Type]sarifRule{
	findings.Modified: {
		ID: "drift/modified", Name: "DriftModified",
		ShortDescription: sarifText{Text: "Live object differs from its declaration"},
		FullDescription:  sarifText{Text: "Someone changed the object in the cluster after it was applied from Git: the live state no longer matches the declared manifest."},
		Help:             &sarifText{Text: "Bring the change into Git through review (clusterscribe propose), or re-apply the declared manifest."},
	},
	findings.MissingLive: {
		ID: "drift/missing-live", Name: "DriftMissingLive",
		ShortDescription: sarifText{Text: "Declared object is missing from the cluster"},
		FullDescription:  sarifText{Text: "The manifest declares an object that does not exist in the cluster: it was deleted, or never applied."},
		Help:             &sarifText{Text: "Re-apply the manifest, or remove it from Git if the object is gone on purpose."},
	},
	findings.Unmanaged: {
		ID: "drift/unmanaged", Name: "DriftUnmanaged",
		ShortDescription: sarifText{Text: "Live object is declared nowhere"},
		FullDescription:  sarifText{Text: "An object in scope exists in the cluster but no file of the declared repository declares it."},
		Help:             &sarifText{Text: "Declare the object in Git (clusterscribe propose), or delete it from the cluster."},
	},
}

// renderSARIF writes SARIF 2.1.0 for GitHub code scanning. A finding with a
// declaration points at its file and line. One without (an unmanaged object,
// a policy finding on live state) points at a path naming the live object,
// "live/<cluster>/<namespace or _cluster>/<Kind.group>/<name>", and carries
// the object as a logical location too: GitHub rejects a whole upload when a
// result has no artifact location.
func renderSARIF(w io.Writer, r *findings.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("render sarif: %w", err)
	}
	r = prepare(r)
	run := sarifRunOf(r)
	ruleIndex := sarifRules(&run, r)
	for _, f := range r.Findings {
		run.Results = append(run.Results, sarifResultOf(r.Cluster, f, ruleIndex))
	}
	for _, p := range r.Problems {
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, sarifNotification{
			Level: "error", Message: sarifText{Text: p.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: fileURI(p.Source.File)},
				Region:           sarifRegion{StartLine: max(p.Source.Line, 1)},
			}}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return fmt.Errorf("render sarif: %w", err)
	}
	return nil
}

// sarifRunOf is the run of a report without rules or results: the tool,
// the invocation, the declared repository and the report's properties.
func sarifRunOf(r *findings.Report) sarifRun {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "clusterscribe", Version: version.Version,
			InformationURI: "https://github.com/clusterscribe/clusterscribe",
			Rules:          []sarifRule{},
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
	}
	if !r.GeneratedAt.IsZero() {
		run.Invocations[0].EndTimeUTC = formatTime(r.GeneratedAt)
	}
	if r.Cluster != "" {
		run.AutomationDetails = &sarifAutomation{ID: "clusterscribe/" + r.Cluster + "/"}
	}
	if u, err := url.Parse(r.Declared); err == nil && u.IsAbs() && u.Host != "" {
		run.VersionControlProvenance = []sarifVersionControl{{RepositoryURI: r.Declared, RevisionID: r.DeclaredRevision}}
	}
	props := map[string]any{}
	for k, v := range map[string]string{
		"cluster": r.Cluster, "declared": r.Declared, "declaredRevision": r.DeclaredRevision,
		"policySet": policySetName(r.PolicySet), "policySetVersion": policySetVersion(r.PolicySet), "scope": policySetScope(r.PolicySet),
	} {
		if v != "" {
			props[k] = v
		}
	}
	if len(props) > 0 {
		run.Properties = props
	}
	return run
}

// sarifRules adds a rule per drift type found and per policy to the run,
// and returns each rule's index.
func sarifRules(run *sarifRun, r *findings.Report) map[string]int {
	ruleIndex := map[string]int{}
	addRule := func(rule sarifRule) {
		if _, ok := ruleIndex[rule.ID]; !ok {
			ruleIndex[rule.ID] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
		}
	}
	for _, t := range driftTypes {
		if len(ofType(r.Findings, t)) > 0 {
			rule := driftRules[t]
			rule.DefaultConfiguration = sarifRuleConfig{Level: "warning"}
			rule.Properties = sarifRuleProps{Tags: []string{"drift", "kubernetes"}, Precision: "very-high", ProblemSeverity: "warning"}
			addRule(rule)
		}
	}
	for _, p := range policyRules(r) {
		addRule(p)
	}
	return ruleIndex
}

// sarifResultOf is one finding as a result of its rule.
func sarifResultOf(cluster string, f findings.Finding, ruleIndex map[string]int) sarifResult {
	id := sarifRuleID(f)
	res := sarifResult{
		RuleID: id, RuleIndex: ruleIndex[id], Level: sarifLevel(f),
		Message:             sarifText{Text: sarifMessage(f)},
		Locations:           []sarifLocation{sarifObjectLocation(cluster, f)},
		PartialFingerprints: map[string]string{sarifFingerprint: fingerprint(id, f)},
		Properties:          map[string]any{"object": f.Object.String(), "findingType": string(f.Type)},
	}
	if len(f.Paths) > 0 {
		res.Properties["paths"] = f.Paths
	}
	if f.Policy != nil {
		res.Properties["outcome"] = string(f.Policy.Outcome)
		res.Properties["state"] = stateLabel(f)
	}
	if f.Policy != nil && f.Policy.Outcome == findings.Exception {
		// SARIF's own word for an accepted finding: code scanning shows
		// it as dismissed, with the justification.
		res.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.Reason}}
	}
	return res
}

// policyRules are the rules of every policy the report knows, from its
// stats and its findings.
func policyRules(r *findings.Report) []sarifRule {
	type info struct {
		title, description, remediation string
		severity                        findings.Severity
		controls                        []findings.Control
	}
	var order []string
	byID := map[string]*info{}
	note := func(id string) *info {
		if p, ok := byID[id]; ok {
			return p
		}
		byID[id] = &info{}
		order = append(order, id)
		return byID[id]
	}
	for _, s := range r.Policies {
		p := note(s.ID)
		p.title, p.severity, p.controls = s.Title, s.Severity, s.Controls
	}
	for _, f := range r.Findings {
		if f.Policy == nil {
			continue
		}
		p := note(f.Policy.ID)
		p.title = cmp.Or(p.title, f.Policy.Title)
		p.description = cmp.Or(p.description, f.Policy.Description)
		p.remediation = cmp.Or(p.remediation, f.Policy.Remediation)
		if p.severity == "" {
			p.severity = f.Policy.Severity
		}
		if len(p.controls) == 0 {
			p.controls = f.Policy.Controls
		}
	}
	rules := make([]sarifRule, 0, len(order))
	for _, id := range order {
		p := byID[id]
		tags := []string{"security", "kubernetes", "policy"}
		for _, c := range p.controls {
			tags = append(tags, c.Framework+"-"+c.ID)
		}
		rule := sarifRule{
			ID: id, Name: id,
			ShortDescription:     sarifText{Text: cmp.Or(p.title, id)},
			FullDescription:      sarifText{Text: cmp.Or(p.description, p.title, id)},
			DefaultConfiguration: sarifRuleConfig{Level: severityLevel(p.severity)},
			Properties: sarifRuleProps{
				Tags: tags, SecuritySeverity: securitySeverity(p.severity),
				Precision: "high", ProblemSeverity: severityLevel(p.severity),
			},
		}
		if p.remediation != "" {
			rule.Help = &sarifText{Text: p.remediation}
		}
		rules = append(rules, rule)
	}
	return rules
}

func sarifRuleID(f findings.Finding) string {
	if f.Policy != nil {
		return f.Policy.ID
	}
	return driftRules[f.Type].ID
}

func sarifMessage(f findings.Finding) string {
	msg := f.Object.String()
	if f.Policy != nil {
		msg += ": " + cmp.Or(f.Message, f.Policy.Title)
		if f.Policy.Outcome == findings.Error {
			msg = "Policy could not be evaluated on " + msg
		}
		return msg
	}
	msg += ": " + cmp.Or(f.Message, typeBlurb(f.Type))
	if len(f.Paths) > 0 {
		msg += " (changed: " + strings.Join(f.Paths, ", ") + ")"
	}
	return msg
}

func sarifLevel(f findings.Finding) string {
	if f.Policy == nil {
		return "warning"
	}
	switch f.Policy.Outcome {
	case findings.Warn:
		return "warning"
	case findings.Error:
		return "error"
	}
	return severityLevel(f.Policy.Severity)
}

func severityLevel(s findings.Severity) string {
	switch s {
	case findings.Critical, findings.High:
		return "error"
	case findings.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's 0-10 score for a severity.
func securitySeverity(s findings.Severity) string {
	switch s {
	case findings.Critical:
		return "9.5"
	case findings.High:
		return "8.0"
	case findings.Medium:
		return "5.5"
	case findings.Low:
		return "3.0"
	}
	return ""
}

func sarifObjectLocation(cluster string, f findings.Finding) sarifLocation {
	ns := f.Object.Namespace
	loc := sarifLocation{LogicalLocations: []sarifLogical{{
		Name: f.Object.Name, FullyQualifiedName: f.Object.String(), Kind: "resource",
	}}}
	if f.Source != nil {
		loc.PhysicalLocation = sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: fileURI(f.Source.File)},
			Region:           sarifRegion{StartLine: max(f.Source.Line, 1)},
		}
		return loc
	}
	if ns == "" {
		ns = "_cluster"
	}
	segments := []string{"live", cmp.Or(cluster, "cluster"), ns, f.Object.KindGroup(), f.Object.Name}
	for i, s := range segments {
		segments[i] = escapeSegment(s)
	}
	loc.PhysicalLocation = sarifPhysical{
		ArtifactLocation: sarifArtifact{URI: strings.Join(segments, "/")},
		Region:           sarifRegion{StartLine: 1},
	}
	return loc
}

// fileURI turns a declared file path into a SARIF uri: relative paths stay
// relative to the repository root (as GitHub wants), absolute ones become
// file URIs.
func fileURI(p string) string {
	p = filepath.ToSlash(p)
	if path.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	segments := strings.Split(strings.TrimPrefix(p, "./"), "/")
	for i, s := range segments {
		segments[i] = escapeSegment(s)
	}
	return strings.Join(segments, "/")
}

// escapeSegment escapes one path segment of a relative URI; ':' too, so a
// name like "system:auth-delegator" is not read as a scheme.
func escapeSegment(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}

// fingerprint identifies a result across runs: rule, object, and for policy
// findings the policy's rule and the evaluated state.
func fingerprint(ruleID string, f findings.Finding) string {
	rule := ""
	if f.Policy != nil {
		rule = f.Policy.Rule
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{
		ruleID, rule, f.Object.APIVersion, f.Object.Kind, f.Object.Namespace, f.Object.Name, stateLabel(f),
	}, "\x00")))
	return hex.EncodeToString(sum[:16])
}
