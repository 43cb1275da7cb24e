package serializer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
)

// Names of default rules that callers refer to.
const (
	RuleSecretStringData = "secret.stringData"
	RuleServiceClusterIP = "service.clusterIP"
	RuleServiceNodePort  = "service.nodePort"
	// RuleAutoscaledReplicas drops spec.replicas of objects that
	// Options.Autoscaled reports as targeted by an autoscaler, so scaling
	// churn produces no change. It is not in DefaultRules because it needs
	// Options.Autoscaled; it can be switched off like any default rule.
	RuleAutoscaledReplicas = "autoscaled.replicas"
)

// Annotation keys the serializer itself reads or writes.
const (
	// LastAppliedAnnotation holds kubectl's copy of the applied manifest. It
	// is always removed from Secrets, whatever the rules say: it contains the
	// Secret's values in plaintext.
	LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
	// FingerprintAnnotation carries, in encrypt mode, the fingerprint of the
	// Secret's plaintext (see SecretFingerprint). Restore strips it.
	FingerprintAnnotation = "clusterscribe.io/secret-fingerprint"
)

// DefaultRules returns the default normalization table, in the order the
// rules run. Each call returns a fresh slice the caller may modify.
//
// Service nodePorts: the API does not record whether a nodePort was chosen by
// the user or allocated by the cluster, so service.nodePort drops every
// spec.ports[*].nodePort, for every Service type: for ClusterIP Services there
// is nothing to keep, and for NodePort and LoadBalancer Services a restore
// gets fresh ports. Users who pin nodePorts switch the rule off.
func DefaultRules() []Rule {
	return slices.Concat(metadataRules(), annotationRules(), kindRules())
}

// metadataRules drop what the API server keeps about every object.
func metadataRules() []Rule {
	return []Rule{
		{Name: "metadata.uid", Pointers: []string{"/metadata/uid"}},
		{Name: "metadata.resourceVersion", Pointers: []string{"/metadata/resourceVersion"}},
		{Name: "metadata.generation", Pointers: []string{"/metadata/generation"}},
		{Name: "metadata.creationTimestamp", Pointers: []string{"/metadata/creationTimestamp"}},
		{Name: "metadata.selfLink", Pointers: []string{"/metadata/selfLink"}},
		{Name: "metadata.managedFields", Pointers: []string{"/metadata/managedFields"}},
		{Name: "metadata.deletionTimestamp", Pointers: []string{"/metadata/deletionTimestamp"}},
		{Name: "metadata.deletionGracePeriodSeconds", Pointers: []string{"/metadata/deletionGracePeriodSeconds"}},
		{Name: "status", Pointers: []string{"/status"}},
		{
			// Pod templates (Deployment, StatefulSet, DaemonSet, Job, ...), the
			// CronJob job template, and StatefulSet volume claim templates.
			Name: "spec.template.metadata.creationTimestamp",
			Pointers: []string{
				"/spec/template/metadata/creationTimestamp",
				"/spec/jobTemplate/metadata/creationTimestamp",
				"/spec/jobTemplate/spec/template/metadata/creationTimestamp",
				"/spec/volumeClaimTemplates/*/metadata/creationTimestamp",
			},
		},
	}
}

// annotationRules drop annotations that controllers and clients write.
func annotationRules() []Rule {
	return []Rule{
		{Name: "annotation.last-applied-configuration", AnnotationKeys: []string{LastAppliedAnnotation}},
		{Name: "annotation.deployment-revision", AnnotationKeys: []string{"deployment.kubernetes.io/revision"}},
		{Name: "annotation.replicaset-replicas", AnnotationKeys: []string{
			"deployment.kubernetes.io/desired-replicas",
			"deployment.kubernetes.io/max-replicas",
		}},
		{Name: "annotation.leader", AnnotationKeys: []string{"control-plane.alpha.kubernetes.io/leader"}},
		{Name: "annotation.service-account-uid", AnnotationKeys: []string{"kubernetes.io/service-account.uid"}},
		{Name: "annotation.pv-binding", AnnotationKeys: []string{
			"pv.kubernetes.io/bind-completed",
			"pv.kubernetes.io/bound-by-controller",
		}},
		{Name: "annotation.autoscaling-alpha", AnnotationKeys: []string{"autoscaling.alpha.kubernetes.io/*"}},
		{Name: "annotation.cluster-autoscaler-last-updated", AnnotationKeys: []string{"cluster-autoscaler.kubernetes.io/last-updated"}},
	}
}

// kindRules drop what the API server or a controller assigns to objects
// of one kind.
func kindRules() []Rule {
	return []Rule{
		{Name: RuleServiceClusterIP, Kinds: []string{"Service"}, Fn: dropClusterIP},
		{Name: "service.ipFamilies", Kinds: []string{"Service"}, Pointers: []string{"/spec/ipFamilies"}},
		{Name: "service.ipFamilyPolicy", Kinds: []string{"Service"}, Pointers: []string{"/spec/ipFamilyPolicy"}},
		{Name: "service.healthCheckNodePort", Kinds: []string{"Service"}, Pointers: []string{"/spec/healthCheckNodePort"}},
		{Name: RuleServiceNodePort, Kinds: []string{"Service"}, Pointers: []string{"/spec/ports/*/nodePort"}},
		{Name: "pvc.volumeName", Kinds: []string{"PersistentVolumeClaim"}, Pointers: []string{"/spec/volumeName"}},
		{Name: RuleSecretStringData, Kinds: []string{"Secret"}, Fn: foldStringData},
		{
			Name: "webhook.caBundle",
			Kinds: []string{
				"MutatingWebhookConfiguration.admissionregistration.k8s.io",
				"ValidatingWebhookConfiguration.admissionregistration.k8s.io",
			},
			Pointers: []string{"/webhooks/*/clientConfig/caBundle"},
		},
		{
			Name:     "crd.caBundle",
			Kinds:    []string{"CustomResourceDefinition.apiextensions.k8s.io"},
			Pointers: []string{"/spec/conversion/webhook/clientConfig/caBundle"},
		},
		{
			Name:     "apiservice.caBundle",
			Kinds:    []string{"APIService.apiregistration.k8s.io"},
			Pointers: []string{"/spec/caBundle"},
		},
		{
			// The aggregation controller fills rules from the roles the
			// aggregationRule selects: they follow other objects, and
			// restoring the rule restores them.
			Name:  "clusterrole.aggregatedRules",
			Kinds: []string{"ClusterRole.rbac.authorization.k8s.io"},
			Fn:    dropAggregatedRules,
		},
		{
			// The API server copies serviceAccountName into the deprecated
			// serviceAccount field; only the former is meaningful.
			Name: "podspec.serviceAccount",
			Fn:   dropDeprecatedServiceAccount,
		},
		{
			// Unless spec.manualSelector is true, the API server generates a
			// Job's selector and its pod template's labels from the Job's
			// uid: a restored Job gets fresh ones, and the old ones make
			// the API server refuse it.
			Name:  "job.generatedSelector",
			Kinds: []string{"Job.batch"},
			Fn:    dropGeneratedJobSelector,
		},
	}
}

// jobGeneratedLabels are the pod template labels the API server sets on a
// Job whose selector it generates.
var jobGeneratedLabels = []string{
	"controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name",
}

// dropGeneratedJobSelector removes a Job's generated selector and the
// labels it selects, unless the selector is manual.
func dropGeneratedJobSelector(obj map[string]any) error {
	spec, ok := obj["spec"].(map[string]any)
	if !ok || spec["manualSelector"] == true {
		return nil
	}
	delete(spec, "selector")
	tmpl, _ := spec["template"].(map[string]any)
	md, _ := tmpl["metadata"].(map[string]any)
	labels, ok := md["labels"].(map[string]any)
	if !ok {
		return nil
	}
	for _, k := range jobGeneratedLabels {
		delete(labels, k)
	}
	if len(labels) == 0 {
		delete(md, "labels")
	}
	return nil
}

func dropAggregatedRules(obj map[string]any) error {
	if _, ok := obj["aggregationRule"].(map[string]any); ok {
		delete(obj, "rules")
	}
	return nil
}

// dropDeprecatedServiceAccount removes serviceAccount from a pod spec (of a
// Pod, a pod template or a CronJob's job template) when it equals
// serviceAccountName.
func dropDeprecatedServiceAccount(obj map[string]any) error {
	for _, path := range [][]string{
		{"spec"},
		{"spec", "template", "spec"},
		{"spec", "jobTemplate", "spec", "template", "spec"},
	} {
		var cur any = obj
		for _, k := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[k]
		}
		spec, ok := cur.(map[string]any)
		if !ok {
			continue
		}
		if sa, ok := spec["serviceAccount"].(string); ok && sa == spec["serviceAccountName"] {
			delete(spec, "serviceAccount")
		}
	}
	return nil
}

// dropClusterIP removes the allocated spec.clusterIP and spec.clusterIPs of a
// Service. A headless Service ("None") keeps them: that value is the user's
// choice, and dropping it would turn the Service into a normal one on restore.
func dropClusterIP(obj map[string]any) error {
	spec, ok := obj["spec"].(map[string]any)
	if !ok {
		return nil
	}
	if ip, _ := spec["clusterIP"].(string); ip == "None" {
		return nil
	}
	delete(spec, "clusterIP")
	delete(spec, "clusterIPs")
	return nil
}

// foldStringData folds a Secret's write-only stringData into data (base64),
// stringData winning on a shared key as it does in the API server.
func foldStringData(obj map[string]any) error {
	raw, ok := obj["stringData"]
	if !ok {
		return nil
	}
	delete(obj, "stringData")
	if raw == nil {
		return nil
	}
	sd, ok := raw.(map[string]any)
	if !ok {
		return errors.New("stringData is not a map")
	}
	if len(sd) == 0 {
		return nil
	}
	data, ok := obj["data"].(map[string]any)
	if !ok {
		if obj["data"] != nil {
			return errors.New("data is not a map")
		}
		data = make(map[string]any, len(sd))
		obj["data"] = data
	}
	for k, v := range sd {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("stringData key %q: value is not a string", k)
		}
		data[k] = base64.StdEncoding.EncodeToString([]byte(s))
	}
	return nil
}
