package clusterscribe.bundled.run_as_root_test

import data.clusterscribe.bundled.run_as_root.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_run_as_non_root if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
}

test_allowed_pod_level_run_as_non_root if {
	spec := {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "app", "image": "app:1"}]}
	count(deny) == 0 with input as fixtures.deployment(spec)
}

test_allowed_non_zero_run_as_user if {
	spec := fixtures.with_container({"name": "app", "image": "app:1", "securityContext": {"runAsUser": 1000}})
	count(deny) == 0 with input as fixtures.deployment(spec)
}

test_denied_no_setting if {
	spec := fixtures.with_container({"name": "app", "image": "app:1"})
	deny == {`container "app" may run as root: set runAsNonRoot: true or a non-zero runAsUser`} with input as fixtures.deployment(spec)
}

test_denied_run_as_user_zero if {
	c := {"name": "app", "image": "app:1", "securityContext": {"runAsUser": 0}}
	deny == {`container "app" runs as root (runAsUser: 0)`} with input as fixtures.deployment(fixtures.with_container(c))
}

test_denied_container_overrides_pod if {
	spec := {
		"securityContext": {"runAsNonRoot": true},
		"containers": [{"name": "app", "image": "app:1", "securityContext": {"runAsNonRoot": false}}],
	}
	deny == {`container "app" may run as root: set runAsNonRoot: true or a non-zero runAsUser`} with input as fixtures.pod(spec)
}

test_denied_pod_level_root_user if {
	spec := {"securityContext": {"runAsUser": 0}, "containers": [{"name": "app", "image": "app:1"}]}
	deny == {`container "app" runs as root (runAsUser: 0)`} with input as fixtures.deployment(spec)
}
