package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/livedeck/livedeck"
)

// statusOf maps application error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	livedeck.EINVALID:      http.StatusBadRequest,
	livedeck.ENOTFOUND:     http.StatusNotFound,
	livedeck.ECONFLICT:     http.StatusConflict,
	livedeck.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	livedeck.ERATELIMIT:    http.StatusTooManyRequests,
	livedeck.EUNAVAILABLE:  http.StatusServiceUnavailable,
	livedeck.EUNAUTHORIZED: http.StatusUnauthorized,
	livedeck.EFORBIDDEN:    http.StatusForbidden,
	livedeck.EINTERNAL:     http.StatusInternalServerError,
}

// errorBody is every error response: {"error":{"code","field","message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"` // X-Request-Id: find the request's log lines
}

// retryAfter marks errors that should carry a Retry-After header (seconds).
type retryAfter interface{ RetryAfterSeconds() int }

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var (
		he     *echo.HTTPError
		ae     *livedeck.Error
		status int
		body   errorBody
	)
	switch {
	case errors.As(err, &ae):
		status = statusOf[ae.Code]
		body.Error = errorDetail{Code: ae.Code, Field: ae.Field, Message: ae.Message}
	case errors.As(err, &he):
		status = he.Code
		msg, _ := he.Message.(string)
		if msg == "" {
			msg = http.StatusText(he.Code)
		}
		body.Error = errorDetail{Code: codeOfStatus(he.Code), Message: msg}
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
		body.Error = errorDetail{Code: livedeck.EUNAVAILABLE, Message: "the data store did not answer in time: retry"}
	default:
		status = http.StatusInternalServerError
		body.Error = errorDetail{Code: livedeck.EINTERNAL, Message: "internal error"}
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	body.Error.RequestID = requestID(c)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "status", status, "request_id", body.Error.RequestID, "err", err)
	}
	var ra retryAfter
	if errors.As(err, &ra) {
		c.Response().Header().Set("Retry-After", itoa(ra.RetryAfterSeconds()))
	} else if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "1")
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

func codeOfStatus(status int) string {
	for code, st := range statusOf {
		if st == status && code != livedeck.EINTERNAL {
			return code
		}
	}
	if status >= 500 {
		return livedeck.EINTERNAL
	}
	return livedeck.EINVALID
}

func itoa(n int) string {
	if n < 1 {
		n = 1
	}
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
