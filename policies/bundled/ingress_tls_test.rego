package clusterscribe.bundled.ingress_tls_test

import data.clusterscribe.bundled.ingress_tls.deny
import rego.v1

ingress(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

rules := [{"host": "shop.example.com"}, {"host": "api.example.com"}]

test_allowed_every_host_covered if {
	count(deny) == 0 with input as ingress({"rules": rules, "tls": [{"hosts": ["shop.example.com", "api.example.com"], "secretName": "tls"}]})
}

test_allowed_wildcard_certificate if {
	count(deny) == 0 with input as ingress({"rules": rules, "tls": [{"hosts": ["*.example.com"], "secretName": "tls"}]})
}

test_allowed_default_certificate if {
	count(deny) == 0 with input as ingress({"rules": rules, "tls": [{"secretName": "tls"}]})
}

test_denied_no_tls if {
	deny == {"Ingress has no TLS section: it serves plain HTTP"} with input as ingress({"rules": rules})
}

test_denied_host_not_covered if {
	deny == {`host "api.example.com" is not covered by the TLS section`} with input as ingress({"rules": rules, "tls": [{"hosts": ["shop.example.com"], "secretName": "tls"}]})
}

test_denied_wildcard_covers_one_label_only if {
	spec := {"rules": [{"host": "a.b.example.com"}], "tls": [{"hosts": ["*.example.com"]}]}
	deny == {`host "a.b.example.com" is not covered by the TLS section`} with input as ingress(spec)
}
