# Objects the tests of the bundled policies are built from.
package clusterscribe.lib.fixtures

import rego.v1

# pod is a Pod with the given spec.
pod(spec) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "app", "namespace": "shop"},
	"spec": spec,
}

# deployment is a Deployment whose pod template has the given spec.
deployment(spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "app", "namespace": "shop"},
	"spec": {"template": {"spec": spec}},
}

# cronjob is a CronJob whose pod template has the given spec.
cronjob(spec) := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "app", "namespace": "shop"},
	"spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}},
}

# hardened is a container that passes every container policy.
hardened := {
	"name": "app",
	"image": "ghcr.io/acme/app:1.2.3",
	"securityContext": {
		"runAsNonRoot": true,
		"allowPrivilegeEscalation": false,
		"readOnlyRootFilesystem": true,
		"capabilities": {"drop": ["ALL"]},
	},
	"resources": {
		"requests": {"cpu": "100m", "memory": "64Mi"},
		"limits": {"memory": "128Mi"},
	},
}

# with_container returns a spec holding one container.
with_container(c) := {"containers": [c]}
