# METADATA
# title: Ingress without TLS
# description: >-
#   An Ingress without TLS serves its hosts over plain HTTP: credentials and
#   session cookies cross the network in clear text.
# custom:
#   id: ingress-tls
#   severity: medium
#   remediation: >-
#     Add spec.tls with a certificate Secret covering every host of the
#     rules (cert-manager can issue and renew it).
#   controls:
#   - {framework: NSA-CISA, id: network-separation/encryption, title: Encryption}
#   match:
#     kinds:
#     - apiGroups: [networking.k8s.io, extensions]
#       kinds: [Ingress]
package clusterscribe.bundled.ingress_tls

import rego.v1

tls_hosts := {h | some t in input.spec.tls; some h in t.hosts}

covered(host) if host in tls_hosts

# A TLS entry without hosts serves the controller's default certificate for
# every host.
covered(_) if {
	some t in input.spec.tls
	count(object.get(t, "hosts", [])) == 0
}

# A wildcard certificate host covers one label.
covered(host) if {
	some h in tls_hosts
	startswith(h, "*.")
	suffix := substring(h, 1, -1)
	endswith(host, suffix)
	not contains(trim_suffix(host, suffix), ".")
}

deny contains "Ingress has no TLS section: it serves plain HTTP" if {
	count(object.get(input.spec, "tls", [])) == 0
}

deny contains msg if {
	count(object.get(input.spec, "tls", [])) > 0
	some rule in input.spec.rules
	host := rule.host
	not covered(host)
	msg := sprintf("host %q is not covered by the TLS section", [host])
}
