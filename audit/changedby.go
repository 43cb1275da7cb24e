package audit

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/watcher"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// Attributor names the person who made an object's last change; nil when
// it does not know. The audit webhook receiver (run) and the backup
// branch's history (audit --backup-repo) are two.
type Attributor interface {
	ChangedBy(q auditwebhook.Query) *committer.Actor
}

// addChangedBy names the person behind each Modified and Unmanaged finding
// whose object's last change the attributor knows.
func addChangedBy(a Attributor, fs []findings.Finding, byGK map[schema.GroupKind]watcher.Resource) {
	if a == nil {
		return
	}
	for i := range fs {
		f := &fs[i]
		if f.Type != findings.Modified && f.Type != findings.Unmanaged {
			continue
		}
		r, ok := byGK[schema.GroupKind{Group: f.Object.Group(), Kind: f.Object.Kind}]
		if !ok {
			continue
		}
		who := a.ChangedBy(auditwebhook.Query{Kind: r.Kind, Key: auditwebhook.Key{
			Group: r.GVR.Group, Resource: r.GVR.Resource, Namespace: f.Object.Namespace, Name: f.Object.Name,
		}})
		f.ChangedBy = changedByOf(who)
	}
}

func changedByOf(a *committer.Actor) *findings.ChangedBy {
	if a == nil || a.User == "" {
		return nil
	}
	return &findings.ChangedBy{User: a.User, Groups: a.Groups, As: a.As, UserAgent: a.UserAgent, Verb: a.Verb, Time: a.Time}
}
