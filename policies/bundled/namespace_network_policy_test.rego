package clusterscribe.bundled.namespace_network_policy_test

import data.clusterscribe.bundled.namespace_network_policy.deny
import rego.v1

ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}

netpol := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": "shop"}}

test_allowed_with_network_policy if {
	count(deny) == 0 with input as ns
		with data.inventory as {"namespace": {"shop": {"networking.k8s.io/v1": {"NetworkPolicy": {"default-deny": netpol}}}}}
}

test_denied_without_network_policy if {
	deny == {"namespace has no NetworkPolicy"} with input as ns
		with data.inventory as {"namespace": {"shop": {"v1": {"ConfigMap": {"c": {}}}}}}
}

test_denied_network_policy_elsewhere if {
	deny == {"namespace has no NetworkPolicy"} with input as ns
		with data.inventory as {"namespace": {"other": {"networking.k8s.io/v1": {"NetworkPolicy": {"default-deny": netpol}}}}}
}
