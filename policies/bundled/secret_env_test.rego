package clusterscribe.bundled.secret_env_test

import data.clusterscribe.bundled.secret_env.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_plain_env_and_config_map if {
	c := object.union(fixtures.hardened, {
		"env": [
			{"name": "MODE", "value": "prod"},
			{"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "level"}}},
		],
		"envFrom": [{"configMapRef": {"name": "cfg"}}],
	})
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(c))
}

test_denied_secret_key_ref if {
	c := object.union(fixtures.hardened, {"env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]})
	deny == {`container "app" reads key "password" of Secret "db" into env var DB_PASSWORD`} with input as fixtures.deployment(fixtures.with_container(c))
}

test_denied_env_from_secret if {
	c := object.union(fixtures.hardened, {"envFrom": [{"secretRef": {"name": "db"}}]})
	deny == {`container "app" loads every key of Secret "db" into its environment`} with input as fixtures.pod(fixtures.with_container(c))
}
