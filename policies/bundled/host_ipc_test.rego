package clusterscribe.bundled.host_ipc_test

import data.clusterscribe.bundled.host_ipc.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_unset if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
}

test_allowed_false if {
	spec := {"containers": [fixtures.hardened], "hostIPC": false}
	count(deny) == 0 with input as fixtures.pod(spec)
}

test_denied_true if {
	spec := {"containers": [fixtures.hardened], "hostIPC": true}
	deny == {"pod sets hostIPC: true"} with input as fixtures.deployment(spec)
}
