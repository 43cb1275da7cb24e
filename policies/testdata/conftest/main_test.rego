# Tests are not policies: this deny must never be evaluated.
package main

deny_from_test[msg] {
  msg := "test files are loaded"
}

test_replicas {
  deny["Deployment d runs fewer than 2 replicas"] with input as {"kind": "Deployment", "metadata": {"name": "d", "annotations": {"owner": "x"}}, "spec": {"replicas": 1}}
}
