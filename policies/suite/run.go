package suite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/policies"
)

// Options configure Run.
type Options struct {
	// Run, when set, selects the tests whose name it matches (all their
	// cases) and the cases whose name it matches; others are skipped.
	Run *regexp.Regexp
	// Timeout bounds one policy on one object (default
	// policies.DefaultTimeout).
	Timeout time.Duration
	// Logger receives the policies' debug output; nil discards it.
	Logger *slog.Logger
}

// Run reads and runs each Suite file, in order. A Suite that cannot be
// read is a failed Result; the others still run.
func Run(ctx context.Context, files []string, opts Options) ([]Result, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	out := make([]Result, 0, len(files))
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, runSuite(ctx, f, opts))
	}
	return out, nil
}

func runSuite(ctx context.Context, file string, opts Options) Result {
	start := time.Now()
	res := Result{Path: file}
	s, err := Read(file)
	if err != nil {
		res.Error = err.Error()
		res.Runtime = Duration(time.Since(start))
		return res
	}
	if s.Skip {
		res.Skipped = true
		return res
	}
	dir := filepath.Dir(file)
	for _, t := range s.Tests {
		if t.Skip || !opts.selectsTest(t) {
			res.Tests = append(res.Tests, TestResult{Name: t.Name, Skipped: true})
			continue
		}
		res.Tests = append(res.Tests, runTest(ctx, dir, t, opts))
	}
	res.Runtime = Duration(time.Since(start))
	return res
}

func (o Options) selectsTest(t Test) bool {
	if o.Run == nil || o.Run.MatchString(t.Name) {
		return true
	}
	for _, c := range t.Cases {
		if o.Run.MatchString(c.Name) {
			return true
		}
	}
	return false
}

func (o Options) selectsCase(t Test, c Case) bool {
	return o.Run == nil || o.Run.MatchString(t.Name) || o.Run.MatchString(c.Name)
}

// runTest loads the test's template and constraint once, then runs its
// cases on them.
func runTest(ctx context.Context, dir string, t Test, opts Options) (res TestResult) {
	start := time.Now()
	res = TestResult{Name: t.Name}
	defer func() { res.Runtime = Duration(time.Since(start)) }()
	engine, err := load(ctx, dir, t, opts)
	if t.Invalid {
		var pe *policies.ParametersError
		if !errors.As(err, &pe) {
			res.Error = fmt.Sprintf("constraint should be invalid: got error %v but want a parameters schema error", err)
		}
		return res
	}
	if err != nil {
		res.Error = err.Error()
		return res
	}
	for _, c := range t.Cases {
		if c.Skip || !opts.selectsCase(t, c) {
			res.Cases = append(res.Cases, CaseResult{Name: c.Name, Skipped: true})
			continue
		}
		cstart := time.Now()
		cr := CaseResult{Name: c.Name}
		if err := runCase(ctx, engine, dir, c); err != nil {
			cr.Error = err.Error()
		}
		cr.Runtime = Duration(time.Since(cstart))
		res.Cases = append(res.Cases, cr)
	}
	return res
}

// load compiles the test's template and constraint.
func load(ctx context.Context, dir string, t Test, opts Options) (*policies.Engine, error) {
	switch {
	case t.Template == "":
		return nil, errors.New("invalid suite: missing template")
	case t.Constraint == "":
		return nil, errors.New("invalid suite: missing constraint")
	}
	dirs := []string{filepath.Join(dir, t.Template), filepath.Join(dir, t.Constraint)}
	if t.Expansion != "" {
		dirs = append(dirs, filepath.Join(dir, t.Expansion))
	}
	engine, err := policies.Load(ctx, policies.Options{
		Dirs:      dirs,
		NoBundled: true,
		Timeout:   opts.Timeout,
		Logger:    opts.Logger,
	})
	if err != nil {
		return nil, err
	}
	if len(engine.Policies()) == 0 {
		return nil, fmt.Errorf("invalid suite: %s holds no Constraint of the template (or binding of the ValidatingAdmissionPolicy) in %s", t.Constraint, t.Template)
	}
	return engine, nil
}

// runCase reviews the case's object and checks every assertion.
func runCase(ctx context.Context, engine *policies.Engine, dir string, c Case) error {
	switch {
	case c.Object == "":
		return errors.New("invalid case: must define object")
	case len(c.Assertions) == 0:
		return errors.New("invalid case: assertions must be non-empty")
	}
	objs, err := readObjects(filepath.Join(dir, c.Object))
	if err != nil {
		return err
	}
	if len(objs) != 1 {
		return fmt.Errorf("%s defines %d objects, want exactly one", filepath.Join(dir, c.Object), len(objs))
	}
	req := policies.Request{Object: objs[0].Object, Source: &objs[0].Source}
	if objs[0].Request != nil {
		req = *objs[0].Request
		req.Source = &objs[0].Source
	}
	var inventory []*unstructured.Unstructured
	for _, p := range c.Inventory {
		ms, err := readObjects(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		for _, m := range ms {
			inventory = append(inventory, m.Object)
		}
	}
	fs, problems, err := engine.Review(ctx, req, inventory)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New(problems[0].Message)
	}
	var messages []string
	for _, f := range fs {
		if f.Policy != nil && f.Policy.Outcome == findings.Error {
			return errors.New(f.Message)
		}
		messages = append(messages, f.Message)
	}
	for _, a := range c.Assertions {
		if err := a.check(messages); err != nil {
			return err
		}
	}
	return nil
}

// readObjects reads the objects of one file; a document that is not an
// object is an error naming its file and line.
func readObjects(path string) ([]policies.Manifest, error) {
	ms, problems, err := policies.ReadManifests([]string{path}, nil)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		p := problems[0]
		return nil, fmt.Errorf("%s:%d: %s", p.Source.File, p.Source.Line, p.Message)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("%s defines no objects", path)
	}
	return ms, nil
}
