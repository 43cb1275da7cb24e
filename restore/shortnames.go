package restore

import "k8s.io/apimachinery/pkg/runtime/schema"

// shortNames are the short names the Kubernetes API server declares for its
// built-in resources (kubectl api-resources lists them), for references
// resolved without a cluster.
var shortNames = map[string]schema.GroupResource{
	"cm":     {Resource: "configmaps"},
	"cs":     {Resource: "componentstatuses"},
	"ep":     {Resource: "endpoints"},
	"ev":     {Resource: "events"},
	"limits": {Resource: "limitranges"},
	"ns":     {Resource: "namespaces"},
	"no":     {Resource: "nodes"},
	"pvc":    {Resource: "persistentvolumeclaims"},
	"pv":     {Resource: "persistentvolumes"},
	"po":     {Resource: "pods"},
	"rc":     {Resource: "replicationcontrollers"},
	"quota":  {Resource: "resourcequotas"},
	"sa":     {Resource: "serviceaccounts"},
	"svc":    {Resource: "services"},
	"crd":    {Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"},
	"crds":   {Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"},
	"ds":     {Group: "apps", Resource: "daemonsets"},
	"deploy": {Group: "apps", Resource: "deployments"},
	"rs":     {Group: "apps", Resource: "replicasets"},
	"sts":    {Group: "apps", Resource: "statefulsets"},
	"hpa":    {Group: "autoscaling", Resource: "horizontalpodautoscalers"},
	"cj":     {Group: "batch", Resource: "cronjobs"},
	"csr":    {Group: "certificates.k8s.io", Resource: "certificatesigningrequests"},
	"ing":    {Group: "networking.k8s.io", Resource: "ingresses"},
	"netpol": {Group: "networking.k8s.io", Resource: "networkpolicies"},
	"pdb":    {Group: "policy", Resource: "poddisruptionbudgets"},
	"pc":     {Group: "scheduling.k8s.io", Resource: "priorityclasses"},
	"sc":     {Group: "storage.k8s.io", Resource: "storageclasses"},
}
