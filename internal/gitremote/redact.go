package gitremote

import "strings"

// redactedError hides secrets and URL userinfo from an error's text while
// keeping the chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Redact returns err with every secret and every URL userinfo removed
// from its message; the chain is kept for errors.Is and errors.As.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := Scrub(err.Error())
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
