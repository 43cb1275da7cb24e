// Package policies holds the bundled Rego policy set, loads user policies
// and evaluates them with OPA.
package policies
