package clusterscribe.bundled.host_path_test

import data.clusterscribe.bundled.host_path.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_empty_dir if {
	spec := {"containers": [fixtures.hardened], "volumes": [{"name": "tmp", "emptyDir": {}}]}
	count(deny) == 0 with input as fixtures.deployment(spec)
}

test_denied_host_path if {
	spec := {"containers": [fixtures.hardened], "volumes": [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]}
	deny == {`volume "sock" mounts host path "/var/run/docker.sock"`} with input as fixtures.deployment(spec)
}
