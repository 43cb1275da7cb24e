package lib.k8s

is_deployment {
  input.kind == "Deployment"
}
