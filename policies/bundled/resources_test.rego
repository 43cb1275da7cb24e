package clusterscribe.bundled.resources_test

import data.clusterscribe.bundled.resources.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_requests_and_memory_limit if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
}

test_denied_no_resources if {
	spec := fixtures.with_container({"name": "app", "image": "app:1"})
	deny == {`container "app" has no resources requests.cpu, requests.memory, limits.memory`} with input as fixtures.deployment(spec)
}

test_denied_no_memory_limit if {
	c := {"name": "app", "image": "app:1", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2"}}}
	deny == {`container "app" has no resources limits.memory`} with input as fixtures.cronjob(fixtures.with_container(c))
}
