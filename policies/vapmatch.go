package policies

import (
	"fmt"
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8sadmission "k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	corev1listers "k8s.io/client-go/listers/core/v1"
)

// vapMatch selects objects as the API server matches a
// ValidatingAdmissionPolicy (its matchConstraints) and a binding (its
// matchResources), with the API server's own matcher. Namespace labels
// come from the Namespace objects evaluated (none when absent).
type vapMatch struct {
	policy, binding *matchCriteria
}

// matchCriteria is a MatchResources with its selectors parsed; nil
// selectors select everything, as the API server's defaults do.
type matchCriteria struct {
	resources         admissionregistrationv1.MatchResources
	namespaceSelector labels.Selector
	objectSelector    labels.Selector
}

var _ matching.MatchCriteria = (*matchCriteria)(nil)

func newMatchCriteria(mr admissionregistrationv1.MatchResources) (*matchCriteria, error) {
	if mr.MatchPolicy == nil {
		p := admissionregistrationv1.Equivalent
		mr.MatchPolicy = &p
	}
	c := &matchCriteria{resources: mr, namespaceSelector: labels.Everything(), objectSelector: labels.Everything()}
	var err error
	if mr.NamespaceSelector != nil {
		if c.namespaceSelector, err = metav1.LabelSelectorAsSelector(mr.NamespaceSelector); err != nil {
			return nil, fmt.Errorf("namespaceSelector: %w", err)
		}
	}
	if mr.ObjectSelector != nil {
		if c.objectSelector, err = metav1.LabelSelectorAsSelector(mr.ObjectSelector); err != nil {
			return nil, fmt.Errorf("objectSelector: %w", err)
		}
	}
	return c, nil
}

func (c *matchCriteria) GetParsedNamespaceSelector() (labels.Selector, error) {
	return c.namespaceSelector, nil
}

func (c *matchCriteria) GetParsedObjectSelector() (labels.Selector, error) {
	return c.objectSelector, nil
}

func (c *matchCriteria) GetMatchResources() admissionregistrationv1.MatchResources {
	return c.resources
}

// matches reports whether the policy and the binding select o.
func (m *vapMatch) matches(o *object, nsLabels func(string) map[string]string) bool {
	if o.expansion != nil {
		// The API server never sees the objects ExpansionTemplates make.
		return false
	}
	r := celRequestOf(o, nsLabels)
	attr := k8sadmission.NewAttributesRecord(orNil(r.object), orNil(r.oldObject), r.gvk, r.namespace, r.name, r.gvr, "", r.operation, nil, false, r.userInfo)
	matcher := matching.NewMatcher(namespaceLister(nsLabels), nil)
	for _, c := range []*matchCriteria{m.policy, m.binding} {
		if c == nil {
			continue
		}
		ok, _, _, err := matcher.Matches(attr, noConversion{}, c)
		if err != nil || !ok {
			return false
		}
	}
	return true
}

// matchesKind reports whether objects of group and kind may be selected:
// some resource rule of the policy names their group and resource.
func (m *vapMatch) matchesKind(group, kind string) bool {
	if group == "" && kind == "Namespace" && m.selectsNamespaces() {
		// Their labels decide what the namespaceSelector selects.
		return true
	}
	gvr, _ := meta.UnsafeGuessKindToResource(schema.GroupVersionKind{Group: group, Kind: kind})
	for _, c := range []*matchCriteria{m.policy, m.binding} {
		if c == nil || len(c.resources.ResourceRules) == 0 {
			continue
		}
		if !slices.ContainsFunc(c.resources.ResourceRules, func(r admissionregistrationv1.NamedRuleWithOperations) bool {
			return anyOf(r.APIGroups, group) && (anyOf(r.Resources, gvr.Resource) || slices.Contains(r.Resources, "*/*"))
		}) {
			return false
		}
	}
	return true
}

// selectsNamespaces reports whether a namespaceSelector selects some
// namespaces only.
func (m *vapMatch) selectsNamespaces() bool {
	return (m.policy != nil && !m.policy.namespaceSelector.Empty()) || (m.binding != nil && !m.binding.namespaceSelector.Empty())
}

func anyOf(list []string, s string) bool {
	return slices.Contains(list, "*") || slices.Contains(list, s)
}

// namespaceLister lists the namespaces the objects evaluated describe;
// any other namespace exists, without labels.
type namespaceLister func(string) map[string]string

var _ corev1listers.NamespaceLister = namespaceLister(nil)

func (l namespaceLister) List(labels.Selector) ([]*corev1.Namespace, error) { return nil, nil }

func (l namespaceLister) Get(name string) (*corev1.Namespace, error) {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l(name)}}, nil
}

// noConversion is the object interfaces of an API server that knows no
// equivalent resources: a rule matches the resource it names.
type noConversion struct{}

var equivalents = runtime.NewEquivalentResourceRegistry()

func (noConversion) GetObjectCreater() runtime.ObjectCreater     { return nil }
func (noConversion) GetObjectTyper() runtime.ObjectTyper         { return nil }
func (noConversion) GetObjectDefaulter() runtime.ObjectDefaulter { return nil }
func (noConversion) GetObjectConvertor() runtime.ObjectConvertor { return nil }
func (noConversion) GetEquivalentResourceMapper() runtime.EquivalentResourceMapper {
	return equivalents
}
