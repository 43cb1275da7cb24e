package clusterscribe.bundled.exposed_service_test

import data.clusterscribe.bundled.exposed_service.deny
import rego.v1

service(type) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"type": type, "ports": [{"port": 80}]}}

test_allowed_cluster_ip if {
	count(deny) == 0 with input as service("ClusterIP")
}

test_allowed_no_type if {
	count(deny) == 0 with input as object.remove(service("ClusterIP"), ["spec"])
}

test_denied_load_balancer if {
	deny == {"Service of type LoadBalancer is reachable from outside the cluster"} with input as service("LoadBalancer")
}

test_denied_node_port if {
	deny == {"Service of type NodePort is reachable from outside the cluster"} with input as service("NodePort")
}
