package handoff

import (
	"errors"
	"fmt"
)

// Errors.
var (
	ErrNoCase         = errors.New("no such case")
	ErrAlreadyClaimed = errors.New("case already claimed")
	ErrNotOwner       = errors.New("case is owned by another agent")
	ErrClosed         = errors.New("case is closed")
	ErrForbidden      = errors.New("not allowed")
	// ErrInvalid wraps a bad request (unknown priority, empty text, wrong
	// tier…); the wrapping error says what is wrong.
	ErrInvalid = errors.New("invalid request")
	// ErrNoMessage: RetryReply names a message the case does not have.
	ErrNoMessage = errors.New("no such message")
	// ErrMustStayOpen: the customer asked to cancel a case that
	// CustomerMayCancel keeps open.
	ErrMustStayOpen = errors.New("case must stay open")
)

// OwnerError is returned (wrapping ErrAlreadyClaimed or ErrNotOwner) when
// another agent owns the case; it names the owner for the UI.
type OwnerError struct {
	Err       error
	OwnerID   string
	OwnerName string
}

func (e *OwnerError) Error() string {
	if e.OwnerName == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v (owner %s)", e.Err, e.OwnerName)
}

func (e *OwnerError) Unwrap() error { return e.Err }
