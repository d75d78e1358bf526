package livedeck

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP layer maps each to one status in one
// table; everything else only names the code.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ETOOLARGE     = "too_large"
	ERATELIMIT    = "rate_limited"
	EUNAVAILABLE  = "unavailable"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
)

// Error is an error a user can act on: a code, the field at fault (if any)
// and a reason written for people.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("livedeck: %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("livedeck: %s: %s", e.Code, e.Message)
}

// Errorf builds an *Error.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
