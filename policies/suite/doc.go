// Package suite runs gator Suite files (apiVersion
// test.gatekeeper.sh/v1alpha1, kind Suite) with gator verify's semantics:
// each test loads one ConstraintTemplate and one Constraint; each case
// reviews one object (or the request of an AdmissionReview: operation,
// oldObject, userInfo) with the objects of its inventory in
// data.inventory, and checks its assertions (violations: yes, no or a
// count, optionally of the violations whose message matches a regular
// expression). Paths in a Suite are relative to the Suite's file.
//
// Evaluation is the policies package's: what a Suite proves about a
// template holds for policy test and audit --policies.
package suite
