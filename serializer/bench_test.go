package serializer

import "testing"

func BenchmarkRenderDeployment(b *testing.B) {
	s := newTestSerializer(b, Options{})
	obj := object(b, readFile(b, "golden/deployment.input.yaml"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Render(obj); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderConfigMap(b *testing.B) {
	s := newTestSerializer(b, Options{})
	obj := object(b, `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  uid: 4e3d2c1b-0a9f-4e8d-8c7b-6a5f4e3d2c1b
  resourceVersion: "1001"
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels:
    app: checkout
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "cart,search,recommendations"
  config.yaml: |
    server:
      port: 8080
      timeout: 30s
`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Render(obj); err != nil {
			b.Fatal(err)
		}
	}
}
