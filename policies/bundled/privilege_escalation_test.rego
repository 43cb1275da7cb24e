package clusterscribe.bundled.privilege_escalation_test

import data.clusterscribe.bundled.privilege_escalation.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_false if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
}

test_denied_true if {
	c := object.union(fixtures.hardened, {"securityContext": {"allowPrivilegeEscalation": true}})
	deny == {`container "app" sets allowPrivilegeEscalation: true`} with input as fixtures.deployment(fixtures.with_container(c))
}

test_denied_unset if {
	spec := fixtures.with_container({"name": "app", "image": "app:1"})
	deny == {`container "app" does not set allowPrivilegeEscalation: false`} with input as fixtures.pod(spec)
}
