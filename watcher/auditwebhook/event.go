package auditwebhook

import (
	"time"
)

// eventList is what the decoder reads of an audit.k8s.io/v1 EventList.
// Every field not named here, requestObject and the rest of
// responseObject included, is skipped by the decoder and never stored.
type eventList struct {
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Items      []event `json:"items"`
}

type event struct {
	Stage            string    `json:"stage"`
	Verb             string    `json:"verb"`
	User             userInfo  `json:"user"`
	ImpersonatedUser *userInfo `json:"impersonatedUser"`
	UserAgent        string    `json:"userAgent"`
	ObjectRef        *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		APIGroup    string `json:"apiGroup"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	// ResponseObject is read for its resourceVersion only (Request and
	// RequestResponse levels): the rest of the object is skipped.
	ResponseObject *struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	} `json:"responseObject"`
	StageTimestamp time.Time `json:"stageTimestamp"`
}

type userInfo struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
}

// Key names an object the way the audit log does: API group ("" for
// core), plural resource, namespace ("" when cluster-scoped) and name.
type Key struct {
	Group, Resource, Namespace, Name string
}

// record is what the index keeps of one event: no bodies.
type record struct {
	key       Key
	verb      string
	user      string
	groups    []string
	as        string
	userAgent string
	rv        string // resulting resourceVersion, when the level gave it
	at        time.Time
	received  time.Time
}

// writes are the verbs that change one object. deletecollection names no
// object and is not attributed.
var writes = map[string]bool{"create": true, "update": true, "patch": true, "delete": true}

// maxField bounds each string kept of an event: a hostile client's user
// agent must not make the index large.
const maxField = 256

// toRecord keeps a successful, completed write to an object (or its scale
// subresource, which writes its spec); it reports false for everything
// else.
func toRecord(e *event, received time.Time) (record, bool) {
	ref := e.ObjectRef
	if e.Stage != "ResponseComplete" || !writes[e.Verb] || ref == nil || ref.Name == "" || ref.Resource == "" {
		return record{}, false
	}
	if ref.Subresource != "" && ref.Subresource != "scale" {
		return record{}, false
	}
	if e.ResponseStatus != nil && (e.ResponseStatus.Code < 200 || e.ResponseStatus.Code >= 300) {
		return record{}, false
	}
	r := record{
		key:       Key{Group: clip(ref.APIGroup), Resource: clip(ref.Resource), Namespace: clip(ref.Namespace), Name: clip(ref.Name)},
		verb:      e.Verb,
		user:      clip(e.User.Username),
		userAgent: clip(e.UserAgent),
		at:        e.StageTimestamp,
		received:  received,
	}
	for i, g := range e.User.Groups {
		if i == 16 {
			break
		}
		r.groups = append(r.groups, clip(g))
	}
	if iu := e.ImpersonatedUser; iu != nil {
		r.as = clip(iu.Username)
	}
	if ro := e.ResponseObject; ro != nil {
		r.rv = clip(ro.Metadata.ResourceVersion)
	}
	if r.at.IsZero() {
		r.at = received
	}
	return r, true
}

// clip copies s (so it does not pin the request's buffer) and bounds it.
func clip(s string) string {
	if len(s) > maxField {
		s = s[:maxField]
	}
	return string([]byte(s))
}
