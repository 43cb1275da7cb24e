package declared

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
)

// benchFile is a declared file of n documents: ConfigMaps, Secrets,
// Deployments and Services, as a GitOps repository holds them.
func benchFile(n int) []byte {
	var sb strings.Builder
	for i := range n {
		name := fmt.Sprintf("app-%03d", i)
		sb.WriteString("---\n# managed by the platform team\n")
		switch i % 4 {
		case 0:
			fmt.Fprintf(&sb, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: shop\n  labels: {app: %s, team: t1}\ndata:\n  LOG_LEVEL: info\n  app.yaml: |\n    server:\n      port: 8080\n", name, name)
		case 1:
			fmt.Fprintf(&sb, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: shop\ntype: Opaque\ndata:\n  password: c2VjcmV0\n", name)
		case 2:
			fmt.Fprintf(&sb, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: %s}\n  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/%s:1.2.3\n        ports:\n        - containerPort: 8080\n        resources:\n          limits: {cpu: 500m, memory: 128Mi}\n", name, name, name, name)
		default:
			fmt.Fprintf(&sb, "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: shop\nspec:\n  selector: {app: %s}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n", name, name)
		}
	}
	return []byte(sb.String())
}

// BenchmarkParseManifests parses a file of 100 plain documents (one YAML
// parse each).
func BenchmarkParseManifests(b *testing.B) {
	data := benchFile(100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		objs, problems := parseManifests("shop.yaml", data)
		if len(objs) != 100 || len(problems) != 0 {
			b.Fatalf("%d objects, problems %v", len(objs), problems)
		}
	}
}

// BenchmarkParseManifestsChecked parses the same file through the full
// path (YAML tree checks, then the object), as documents with anchors,
// tags or merge keys are.
func BenchmarkParseManifestsChecked(b *testing.B) {
	docs := yamldoc.Split(benchFile(100))
	b.ReportAllocs()
	for b.Loop() {
		budget := failingLineBudget
		n := 0
		for _, d := range docs {
			objs, _ := parseChecked("shop.yaml", d, &budget)
			n += len(objs)
		}
		if n != 100 {
			b.Fatalf("%d objects", n)
		}
	}
}
