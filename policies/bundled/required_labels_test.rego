package clusterscribe.bundled.required_labels_test

import data.clusterscribe.bundled.required_labels.deny
import rego.v1

required := [{"key": "team", "allowedRegex": ""}, {"key": "env", "allowedRegex": "^(prod|staging)$"}]

ns(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": labels}}

test_allowed_all_labels if {
	count(deny) == 0 with input as ns({"team": "payments", "env": "prod"})
		with data.clusterscribe.params.requiredLabels as required
}

test_allowed_nothing_required if {
	count(deny) == 0 with input as ns({})
		with data.clusterscribe.params.requiredLabels as []
}

test_denied_missing if {
	deny == {`label "team" is missing`, `label "env" is missing`} with input as object.remove(ns({}), ["metadata/labels"])
		with data.clusterscribe.params.requiredLabels as required
}

test_denied_value_not_allowed if {
	deny == {`label "env" has value "dev", which does not match "^(prod|staging)$"`} with input as ns({"team": "payments", "env": "dev"})
		with data.clusterscribe.params.requiredLabels as required
}
