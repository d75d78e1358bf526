package ingest

import (
	"time"

	"github.com/livedeck/livedeck"
)

// Result is the outcome of one batch, the body of every 2xx ingest response
// and of every websocket acknowledgement.
type Result struct {
	Accepted   int         `json:"accepted"`   // new events now in the room's stream
	Duplicates int         `json:"duplicates"` // events seen before, acknowledged without effect
	Rejected   []Rejection `json:"rejected"`   // invalid events, never null
}

// Rejection names one invalid event of a batch and why it was refused.
type Rejection struct {
	Index  int    `json:"index"` // 0-based position in the batch
	Field  string `json:"field"` // the JSON field at fault; empty for the event as a whole
	Reason string `json:"reason"`

	// Through a connector (?format=): Index is the platform message's
	// position in the delivery, and these name it.
	MessageID string `json:"message_id,omitempty"` // the platform's own message id
	Kind      string `json:"kind,omitempty"`       // the platform's message type
}

// OverloadError is returned when the in-flight caps are reached. It carries
// the time a client should wait before retrying.
type OverloadError struct {
	Err   *livedeck.Error
	After time.Duration

	result string // livedeck_ingest_batches_total's result when not "overloaded"
}

func (e *OverloadError) Error() string { return e.Err.Error() }
func (e *OverloadError) Unwrap() error { return e.Err }

// RetryAfterSeconds is the Retry-After header value, at least 1.
func (e *OverloadError) RetryAfterSeconds() int {
	s := int((e.After + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}
