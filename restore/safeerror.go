package restore

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/serializer"
)

// safeError keeps Secret values out of reports. The API server already
// withholds Secret data from its validation messages, but a message is not
// a promise: for a Secret, an error about the object's content is reduced
// to its reason and the fields it names. Errors about names (not found,
// forbidden, conflicts) are kept as they are.
func safeError(it item, err error) error {
	if !serializer.IsSecret(it.obj.GroupVersionKind().GroupKind()) {
		return err
	}
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return err
	}
	s := st.Status()
	switch s.Reason {
	case metav1.StatusReasonInvalid, metav1.StatusReasonBadRequest, metav1.StatusReasonRequestEntityTooLarge:
	default:
		return err
	}
	var fields []string
	if s.Details != nil {
		for _, c := range s.Details.Causes {
			if c.Field != "" {
				fields = append(fields, fmt.Sprintf("%s (%s)", c.Field, c.Type))
			}
		}
	}
	msg := fmt.Sprintf("the server refused the Secret: %s", s.Reason)
	if len(fields) > 0 {
		msg += ": " + strings.Join(fields, ", ")
	}
	return errors.New(msg + " (the server's message is withheld for Secrets)")
}
