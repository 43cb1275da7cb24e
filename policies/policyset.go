package policies

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// BundledSetName names the bundled policy set in reports.
const BundledSetName = "clusterscribe-bundled"

// PolicySet describes the loaded policies for a report: the bundled set
// and the user's policy paths by name, and as version a digest of every
// policy file's content and of the bundled policies' parameters, so two
// reports with the same version were judged by the same rules. scope is
// what was evaluated (a cluster and its namespaces, or the manifests
// read).
func (e *Engine) PolicySet(scope string) *findings.PolicySet {
	return &findings.PolicySet{Name: e.setName, Version: e.setVersion, Sources: slices.Clone(e.setSources), Scope: scope}
}

// describeSet names and versions the policies of opts.
func describeSet(opts Options) (name, version string, sources []string, err error) {
	h := sha256.New()
	var names []string
	if !opts.NoBundled {
		names = append(names, BundledSetName)
		sources = append(sources, "bundled")
		err := fs.WalkDir(bundledFS, "bundled", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := bundledFS.ReadFile(p)
			_, _ = fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
			h.Write(data)
			return err
		})
		if err != nil {
			return "", "", nil, err
		}
		_, _ = fmt.Fprintf(h, "params\x00%v\x00", opts.Params)
	}
	for _, dir := range opts.Dirs {
		names = append(names, dir)
		sources = append(sources, dir)
		files, err := policyFiles(dir)
		if err != nil {
			return "", "", nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return "", "", nil, fmt.Errorf("--%s: %w", flagPolicies, err)
			}
			_, _ = fmt.Fprintf(h, "%s\x00%d\x00", f, len(data))
			h.Write(data)
		}
	}
	return strings.Join(names, "+"), "sha256:" + hex.EncodeToString(h.Sum(nil))[:16], sources, nil
}
