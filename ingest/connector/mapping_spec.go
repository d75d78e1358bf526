package connector

// MappingSpec declares how any JSON webhook's payloads become LiveDeck
// events (format "mapping"). Expressions are expr-lang expressions over
// one message, bound as `msg` (and the delivery's headers as `header`).
type MappingSpec struct {
	// Messages is an expression giving the list of messages in a payload;
	// empty means the payload is one message, or a JSON array of them.
	Messages string `json:"messages,omitempty"`

	// ID is an expression giving a message's own id, from which event ids
	// are derived so a platform's redeliveries count once.
	ID string `json:"id"`

	// Kind is an expression naming a message's type, for counting and for
	// dead letters; empty means the matched rule's event type.
	Kind string `json:"kind,omitempty"`

	// Rules are tried in order; the first whose When is true maps the
	// message. A message no rule matches is counted as ignored.
	Rules []MappingRule `json:"rules"`
}

// MappingRule maps the messages its When selects to one event type.
type MappingRule struct {
	When   string            `json:"when"`   // boolean expression; empty matches every message
	Type   string            `json:"type"`   // a public LiveDeck event type
	Fields map[string]string `json:"fields"` // LiveDeck field name → expression
}
