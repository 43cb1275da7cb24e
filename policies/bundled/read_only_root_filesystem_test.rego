package clusterscribe.bundled.read_only_root_filesystem_test

import data.clusterscribe.bundled.read_only_root_filesystem.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_read_only if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
}

test_allowed_ephemeral_container_not_judged if {
	spec := {"containers": [fixtures.hardened], "ephemeralContainers": [{"name": "debug", "image": "busybox:1"}]}
	count(deny) == 0 with input as fixtures.pod(spec)
}

test_denied_unset if {
	spec := {"containers": [fixtures.hardened], "initContainers": [{"name": "init", "image": "busybox:1"}]}
	deny == {`init container "init" does not set readOnlyRootFilesystem: true`} with input as fixtures.deployment(spec)
}

test_denied_false if {
	c := object.union(fixtures.hardened, {"securityContext": {"readOnlyRootFilesystem": false}})
	deny == {`container "app" does not set readOnlyRootFilesystem: true`} with input as fixtures.deployment(fixtures.with_container(c))
}
