// Package treecheck proves a backup branch right: it lists every recorded
// kind of a live cluster afresh (discovery and paginated LISTs, the same
// filters as the recorder), renders each object with the same serializer to
// the same path, and compares the result with the files of the branch, file
// by file. Tests of every package use it to state "the backup equals the
// cluster, exactly" after a fault.
package treecheck
