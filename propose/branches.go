package propose

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// groupLeaf names the one branch of a grouped run; no namespace starts
// with "_".
const groupLeaf = "_all"

// branchName is the stable name of an object's branch:
// <prefix>/<cluster>/<namespace or _cluster>/<kind>[.<group>]/<name>.
func branchName(prefix, cluster string, o findings.ObjectRef) string {
	ns, kind := nameParts(o)
	return prefix + "/" + refPart(clusterPart(cluster)) + "/" + refPart(ns) + "/" + refPart(kind) + "/" + refPart(o.Name)
}

// nameParts are the parts of an object's branch and adopted file before
// its name: its namespace (_cluster for a cluster-scoped object) and its
// kind, lower case, with its group: "deployment.apps".
func nameParts(o findings.ObjectRef) (ns, kind string) {
	ns = o.Namespace
	if ns == "" {
		ns = "_cluster"
	}
	return ns, strings.ToLower(o.KindGroup())
}

// groupBranchName is the one branch of a grouped run.
func groupBranchName(prefix, cluster string) string {
	return prefix + "/" + refPart(clusterPart(cluster)) + "/" + groupLeaf
}

func clusterPart(cluster string) string {
	if cluster == "" {
		return "cluster"
	}
	return cluster
}

// refPart makes s safe as one component of a branch name: characters Git
// refuses become "-", and no component starts with "." or ends in ".lock".
func refPart(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.ReplaceAll(b.String(), "..", "-.")
	out = strings.TrimLeft(out, ".")
	if strings.HasSuffix(out, ".lock") {
		out = strings.TrimSuffix(out, ".lock") + "-lock"
	}
	if out == "" {
		out = "-"
	}
	return out
}

func stubObject(o findings.ObjectRef) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(o.APIVersion)
	u.SetKind(o.Kind)
	u.SetNamespace(o.Namespace)
	u.SetName(o.Name)
	return u
}

func newPR(head, base, title, body string) forge.NewPullRequest {
	return forge.NewPullRequest{Head: head, Base: base, Title: title, Body: body}
}
