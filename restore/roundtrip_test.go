package restore

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// roundTripScope is what both recordings of the round trip cover: the
// seeded namespaces (other tests restore into cluster B too) and every
// cluster-scoped object record keeps. Record's default exclusions already
// leave out what each API server makes for itself and no restore can make
// equal: its client CA bundle, its own port in the default/kubernetes
// Service, the IPs it allocates to Services (a restored Service gets a
// fresh ClusterIP); the IPAddress exclusion is repeated here because the
// comparison depends on it.
var roundTripScope = filters.Options{
	Namespaces:   []string{"shop", "billing"},
	ExcludeKinds: []string{"ipaddresses.networking.k8s.io"},
}

// seedPassword is the value of the seeded Secret (testdata/seed): a
// canary, searched for in everything the test leaves.
const seedPassword = "csx-canary-restore-seed-4d1f8a2b9c3e7f60"

// TestRoundTrip is the acceptance test: record cluster A twice, restore the
// older commit into the empty cluster B (after a dry run that must change
// nothing), record B and compare; then restore the newer commit over it.
func TestRoundTrip(t *testing.T) {
	secretscan.Register(seedPassword)
	secretscan.Guard(t)
	repo := t.TempDir()
	id := testkit.AgeIdentity(t)
	idFile := filepath.Join(t.TempDir(), "age.key")
	if err := os.WriteFile(idFile, []byte("# test identity\n"+id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	identities, err := LoadIdentities(idFile)
	if err != nil {
		t.Fatal(err)
	}

	seed(t, clusterA, "seed")
	first := recordOnce(t, clusterA, repo, "a", id, roundTripScope)
	seed(t, clusterA, "seed-v2")
	dynA := dynamicClient(t, clusterA.Config)
	if err := dynA.Resource(widgets).Namespace("billing").Delete(t.Context(), "old", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	second := recordOnce(t, clusterA, repo, "a", id, roundTripScope)
	if first == second {
		t.Fatal("the second recording made no commit")
	}
	for p, data := range treeFiles(t, repo, first) {
		if strings.Contains(string(data), seedPassword) {
			t.Fatalf("%s holds the Secret's value in plaintext", p)
		}
	}

	cfg := func(ref string, existing Existing, dryRun DryRun) Config {
		return Config{
			Source:     Source{Repo: repo, Ref: ref},
			Existing:   existing,
			DryRun:     dryRun,
			Identities: identities,
			QPS:        200,
			Burst:      400,
			Logger:     testLogger(t),
		}
	}

	// serverDryRun restores the newest commit into cluster B as a server
	// dry run and checks that it changed nothing there.
	serverDryRun := func(t *testing.T, existing Existing) Summary {
		t.Helper()
		before := listing(t, clusterB.Config)
		sum, err := Run(t.Context(), clusterB.Config, cfg("a", existing, DryRunServer))
		if err != nil {
			t.Fatalf("dry run: %v\n%s", err, report(t, sum))
		}
		if diff := cmp.Diff(before, listing(t, clusterB.Config)); diff != "" {
			t.Errorf("the dry run changed cluster B (-before +after):\n%s", diff)
		}
		return sum
	}

	t.Run("dry run changes nothing", func(t *testing.T) {
		sum := serverDryRun(t, ExistingSkip)
		_, err := dynamicClient(t, clusterB.Config).Resource(widgets).List(t.Context(), metav1.ListOptions{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("listing widgets after the dry run: %v, want not found (no such resource)", err)
		}
		wantCreated := []string{
			"CustomResourceDefinition.apiextensions.k8s.io widgets.example.com",
			"Namespace shop",
			"ClusterRole.rbac.authorization.k8s.io widget-reader",
			"Secret shop/db",
			"Deployment.apps shop/web",
			"Widget.example.com shop/blue",
			"ConfigMap billing/added",
		}
		created := objects(sum.With(Created))
		for _, w := range wantCreated {
			if !slices.Contains(created, w) {
				t.Errorf("dry run does not report %q as created; created: %v", w, created)
			}
		}
		if n := sum.Count(Updated) + sum.Count(Failed); n != 0 {
			t.Errorf("dry run into an empty cluster: %d updated or failed\n%s", n, report(t, sum))
		}
	})

	t.Run("client dry run plans without a cluster", func(t *testing.T) {
		sum, err := Run(t.Context(), nil, cfg("a", ExistingSkip, DryRunClient))
		if err != nil {
			t.Fatalf("client dry run: %v\n%s", err, report(t, sum))
		}
		var planned []string // in the order a restore applies them
		for _, r := range sum.With(Planned) {
			planned = append(planned, r.Object.String())
		}
		if n := len(sum.Results) - len(planned) - sum.Count(Skipped); n != 0 {
			t.Errorf("client dry run: %d results neither planned nor skipped\n%s", n, report(t, sum))
		}
		if len(planned) == 0 || planned[0] != "CustomResourceDefinition.apiextensions.k8s.io widgets.example.com" {
			t.Errorf("the plan does not start with the CRD: %v", planned)
		}
		if i, j := slices.Index(planned, "Namespace shop"), slices.Index(planned, "Widget.example.com shop/blue"); i < 0 || j < i {
			t.Errorf("the plan does not put Namespace shop before its Widget: %v", planned)
		}

		one := cfg("a", ExistingSkip, DryRunClient)
		q, err := ParseRef("wdg/blue", "shop") // the CRD's short name, known from the backup only
		if err != nil {
			t.Fatal(err)
		}
		one.Objects = []ObjectQuery{q}
		sum, err = Run(t.Context(), nil, one)
		if err != nil {
			t.Fatalf("client dry run of wdg/blue: %v\n%s", err, report(t, sum))
		}
		if got := objects(sum.With(Planned)); !slices.Equal(got, []string{"Widget.example.com shop/blue"}) {
			t.Errorf("wdg/blue -n shop planned %v, want the Widget only", got)
		}
	})

	t.Run("older commit into an empty cluster", func(t *testing.T) {
		sum, err := Run(t.Context(), clusterB.Config, cfg(first.String()[:10], ExistingSkip, ""))
		if err != nil {
			t.Fatalf("restore: %v\n%s", err, report(t, sum))
		}
		if sum.Commit != first.String() {
			t.Errorf("restored commit %s, want %s", sum.Commit, first)
		}
		got := recordOnce(t, clusterB, repo, "b", id, roundTripScope)
		want := comparable(t, treeFiles(t, repo, first), id)
		if diff := cmp.Diff(want, comparable(t, treeFiles(t, repo, got), id)); diff != "" {
			t.Errorf("cluster B recorded after the restore differs from the restored commit (-want +got):\n%s", diff)
		}
		if _, ok := want["prod/namespaces/shop/core/secrets/db.yaml"]; !ok {
			t.Error("the comparison does not cover the encrypted Secret")
		}
	})

	t.Run("dry run of the newer commit, updating", func(t *testing.T) {
		sum := serverDryRun(t, ExistingUpdate)
		if diff := cmp.Diff([]string{"ConfigMap billing/added"}, objects(sum.With(Created))); diff != "" {
			t.Errorf("would create (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"ConfigMap shop/settings", "Widget.example.com shop/blue"}, objects(sum.With(Updated))); diff != "" {
			t.Errorf("would update (-want +got):\n%s", diff)
		}
	})

	t.Run("newer commit over it, updating", func(t *testing.T) {
		sum, err := Run(t.Context(), clusterB.Config, cfg("a", ExistingUpdate, ""))
		if err != nil {
			t.Fatalf("restore: %v\n%s", err, report(t, sum))
		}
		if diff := cmp.Diff([]string{"ConfigMap billing/added"}, objects(sum.With(Created))); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"ConfigMap shop/settings", "Widget.example.com shop/blue"}, objects(sum.With(Updated))); diff != "" {
			t.Errorf("updated (-want +got):\n%s", diff)
		}
		got := comparable(t, treeFiles(t, repo, recordOnce(t, clusterB, repo, "b", id, roundTripScope)), id)
		want := comparable(t, treeFiles(t, repo, second), id)
		// A restore never deletes: the Widget removed after the first
		// backup is still in B.
		const kept = "prod/namespaces/billing/example.com/widgets/old.yaml"
		want[kept] = comparable(t, treeFiles(t, repo, first), id)[kept]
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("cluster B after restoring the newer commit (-want +got):\n%s", diff)
		}
	})

	t.Run("again, skipping what exists", func(t *testing.T) {
		sum, err := Run(t.Context(), clusterB.Config, cfg("a", ExistingSkip, ""))
		if err != nil {
			t.Fatalf("restore: %v\n%s", err, report(t, sum))
		}
		if n := sum.Count(Created) + sum.Count(Updated) + sum.Count(Unchanged); n != 0 {
			t.Errorf("%d objects written, want none\n%s", n, report(t, sum))
		}
		if sum.Count(Skipped) == 0 {
			t.Error("nothing skipped")
		}
	})
}

var widgets = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}

func dynamicClient(t *testing.T, cfg *rest.Config) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// listing lists what a restore of the seed would create in a cluster.
func listing(t *testing.T, cfg *rest.Config) map[string][]string {
	t.Helper()
	d := dynamicClient(t, cfg)
	out := map[string][]string{}
	for _, gvr := range []schema.GroupVersionResource{
		{Version: "v1", Resource: "namespaces"},
		crdResource,
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"},
		{Version: "v1", Resource: "secrets"},
		{Version: "v1", Resource: "configmaps"},
		{Group: "apps", Version: "v1", Resource: "deployments"},
		{Version: "v1", Resource: "services"},
	} {
		list, err := d.Resource(gvr).List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("list %s: %v", gvr.Resource, err)
		}
		for _, o := range list.Items {
			out[gvr.Resource] = append(out[gvr.Resource], o.GetNamespace()+"/"+o.GetName()+"@"+o.GetResourceVersion())
		}
	}
	return out
}

func objects(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Object.String()
	}
	slices.Sort(out)
	return out
}

func report(t *testing.T, s Summary) string {
	t.Helper()
	var b strings.Builder
	if err := WriteReport(&b, s, FormatWide); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
