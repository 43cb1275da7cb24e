# Conftest-era policy: Rego v0, package main, deny/warn with strings.
package main

import data.lib.k8s

deny[msg] {
  k8s.is_deployment
  input.spec.replicas < 2
  msg := sprintf("Deployment %s runs fewer than 2 replicas", [input.metadata.name])
}

warn[msg] {
  k8s.is_deployment
  not input.spec.template.metadata.labels.app
  msg := "pod template has no app label"
}

deny_no_owner[msg] {
  not input.metadata.annotations.owner
  msg := sprintf("%s %s has no owner annotation", [input.kind, input.metadata.name])
}
