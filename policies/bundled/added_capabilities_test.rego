package clusterscribe.bundled.added_capabilities_test

import data.clusterscribe.bundled.added_capabilities.deny
import data.clusterscribe.lib.fixtures
import rego.v1

with_caps(add) := fixtures.deployment(fixtures.with_container(object.union(
	fixtures.hardened,
	{"securityContext": {"capabilities": {"drop": ["ALL"], "add": add}}},
)))

test_allowed_drop_all if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
}

test_allowed_net_bind_service if {
	count(deny) == 0 with input as with_caps(["NET_BIND_SERVICE"])
}

test_allowed_configured_capability if {
	count(deny) == 0 with input as with_caps(["cap_chown"])
		with data.clusterscribe.params.allowedCapabilities as ["CHOWN"]
}

test_denied_sys_admin if {
	deny == {`container "app" adds capability SYS_ADMIN`} with input as with_caps(["SYS_ADMIN", "NET_BIND_SERVICE"])
}

test_denied_default_list_replaced if {
	deny == {`container "app" adds capability NET_BIND_SERVICE`} with input as with_caps(["NET_BIND_SERVICE"])
		with data.clusterscribe.params.allowedCapabilities as []
}
