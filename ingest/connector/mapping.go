package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/livedeck/livedeck"
)

// FormatMapping is the format of any JSON webhook mapped by a declared
// MappingSpec kept in the connector's settings.
const FormatMapping = "mapping"

// Limits of one delivery through a mapping.
const (
	mappingMaxMessages = 10_000
	mappingTimeBudget  = time.Second // evaluation time per delivery; later messages become dead letters
)

// IDPrefixMapping starts the id of every event a mapping makes:
// map:<source>:<message id>.
const IDPrefixMapping = "map:"

func init() { Register(mappingAdapter{}) }

// mappingAdapter maps any JSON webhook by the settings' MappingSpec.
// Deliveries are authenticated by LiveDeck's own credentials (an ingest
// token, or an X-LiveDeck-Signature webhook signature), not a platform's.
type mappingAdapter struct{}

func (mappingAdapter) Name() string                              { return FormatMapping }
func (mappingAdapter) Signed() bool                              { return false }
func (mappingAdapter) Verify(*Delivery, []string) error          { return nil }
func (mappingAdapter) Reply(bool) (contentType string, b []byte) { return "", nil }

// Decode splits the body into messages (the Messages expression, or the
// body as one message, a JSON array of them, or NDJSON) and maps each by
// the first rule whose When holds.
func (mappingAdapter) Decode(d *Delivery, s *Settings) ([]Message, error) {
	if s.Mapping == nil {
		return nil, livedeck.Errorf(livedeck.EINVALID, "mapping", "the connector has no mapping: save one with PUT …/connectors/{source}")
	}
	cm, err := compiledFor(s.Mapping)
	if err != nil {
		return nil, livedeck.Errorf(livedeck.EINVALID, "mapping", "%v", err)
	}
	payloads, err := splitJSON(d.Body)
	if err != nil {
		return nil, err
	}
	run := &mappingRun{cm: cm, d: d, s: s, deadline: time.Now().Add(mappingTimeBudget)}
	run.vm.MemoryBudget = mappingMemory
	run.env = mappingEnv{Header: headerMap(d.Header), Source: d.Source, Currency: s.Currency}
	var msgs []Message
	add := func(raw []byte, v any, err error) error {
		if len(msgs) >= mappingMaxMessages {
			return livedeck.Errorf(livedeck.ETOOLARGE, "", "more than %d messages in one delivery: split it", mappingMaxMessages)
		}
		m := Message{Index: len(msgs), Raw: raw}
		if err == nil {
			run.message(&m, v)
		} else {
			m.Err = err
		}
		msgs = append(msgs, m)
		return nil
	}
	for _, p := range payloads {
		if err := run.split(p, len(payloads), add); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// mappingRun is the state of one delivery's evaluation.
type mappingRun struct {
	cm       *compiledMapping
	d        *Delivery
	s        *Settings
	vm       vm.VM
	env      mappingEnv
	deadline time.Time
}

// split hands each message of one top-level payload to add.
func (r *mappingRun) split(p json.RawMessage, payloads int, add func([]byte, any, error) error) error {
	if r.cm.messages == nil {
		if payloads == 1 && bytes.HasPrefix(p, []byte("[")) {
			var items []json.RawMessage
			if err := json.Unmarshal(p, &items); err != nil {
				return livedeck.Errorf(livedeck.EINVALID, "", "body is not JSON: %v", err)
			}
			for _, it := range items {
				v, err := decodeJSON(it)
				if err := add(it, v, err); err != nil {
					return err
				}
			}
			return nil
		}
		v, err := decodeJSON(p)
		return add(p, v, err)
	}
	v, err := decodeJSON(p)
	if err == nil {
		r.env.Msg = v
		var out any
		if out, err = r.eval(r.cm.messages); err == nil {
			list, ok := out.([]any)
			if !ok {
				err = fmt.Errorf("messages: want a list, got %s", typeName(out))
			} else {
				for _, el := range list {
					raw, _ := json.Marshal(el)
					if err := add(raw, el, nil); err != nil {
						return err
					}
				}
				return nil
			}
		} else {
			err = fmt.Errorf("messages: %w", err)
		}
	}
	return add(p, nil, err)
}

// message maps one message into m: its id and kind, then the first
// matching rule's event.
func (r *mappingRun) message(m *Message, v any) {
	if time.Now().After(r.deadline) {
		m.Err = fmt.Errorf("mapping time budget (%s per delivery) spent before this message: kept to replay", mappingTimeBudget)
		return
	}
	r.env.Msg = v
	id, err := r.text(r.cm.id)
	if err == nil && id == "" {
		err = errors.New("empty: every message needs an id so redeliveries count once")
	}
	if err != nil {
		m.Err = fmt.Errorf("id: %w", err)
		return
	}
	m.ID = id
	if r.cm.kind != nil {
		if m.Kind, err = r.text(r.cm.kind); err != nil {
			m.Err = fmt.Errorf("kind: %w", err)
			return
		}
	}
	for i, rule := range r.cm.rules {
		if rule.when != nil {
			ok, err := r.eval(rule.when)
			if err != nil {
				m.Err = fmt.Errorf("rules[%d].when: %w", i, err)
				return
			}
			if ok != true {
				continue
			}
		}
		if m.Kind == "" {
			m.Kind = string(rule.typ)
		}
		ev, err := r.event(rule, id)
		if err != nil {
			m.Err = fmt.Errorf("rules[%d].%w", i, err)
			return
		}
		m.Events = []livedeck.Event{ev}
		return
	}
	m.Ignored = true
}

// event builds the rule's event from the current message.
func (r *mappingRun) event(rule compiledRule, id string) (livedeck.Event, error) {
	ev := livedeck.Event{Type: rule.typ, ID: IDPrefixMapping + r.d.Source + ":" + id, TS: r.d.Received.UnixMilli()}
	for _, f := range rule.fields {
		v, err := r.eval(f.prog)
		if err == nil {
			err = r.set(&ev, f.name, v)
		}
		if err != nil {
			return ev, fmt.Errorf("fields.%s: %w", f.name, err)
		}
	}
	return ev, nil
}

// set stores one field's value in ev, converted as the field needs.
func (r *mappingRun) set(ev *livedeck.Event, name string, v any) error {
	var err error
	switch name {
	case "ts":
		ev.TS, err = timeOf(v)
	case "online":
		var n int64
		n, err = intOf(v)
		ev.Online = &n
	case "count":
		ev.Count, err = intOf(v)
	case "qty":
		ev.Qty, err = intOf(v)
	case "amount":
		ev.Amount, err = moneyOf(v)
	case "value":
		ev.Value, err = moneyOf(v)
	case "status":
		var st string
		st, err = textOf(v)
		ev.Status = livedeck.OrderStatus(st)
	case "sku":
		var id string
		if id, err = textOf(v); err == nil {
			ev.SKU = r.s.SKU(id)
		}
	case "user_id", "order_id":
		// Kept per source, so two platforms' ids never collide.
		var id string
		if id, err = textOf(v); err == nil && id != "" {
			id = r.d.Source + ":" + id
		}
		if name == "user_id" {
			ev.UserID = id
		} else {
			ev.OrderID = id
		}
	case "nickname":
		ev.Nickname, err = textOf(v)
	case "text":
		ev.Text, err = textOf(v)
	case "gift":
		ev.Gift, err = textOf(v)
	case "channel":
		ev.Channel, err = textOf(v)
	case "campaign":
		ev.Campaign, err = textOf(v)
	case "period":
		ev.Period, err = timeOf(v)
	}
	return err
}

// eval runs one program on the current message.
func (r *mappingRun) eval(p *vm.Program) (any, error) {
	out, err := r.vm.Run(p, r.env)
	if err != nil {
		return nil, errors.New(firstLine(err.Error())) // without expr's source snippet
	}
	return out, nil
}

func (r *mappingRun) text(p *vm.Program) (string, error) {
	v, err := r.eval(p)
	if err != nil {
		return "", err
	}
	return textOf(v)
}

// splitJSON returns the body's top-level JSON values (one, or NDJSON).
func splitJSON(body []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var out []json.RawMessage
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, livedeck.Errorf(livedeck.EINVALID, "", "body is not JSON: %v", err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, livedeck.Errorf(livedeck.EINVALID, "", "empty body: send the webhook's JSON")
	}
	return out, nil
}

// decodeJSON decodes one value; integers become int, other numbers float64.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	return numbers(v), nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return int(n)
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}

func headerMap(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			m[http.CanonicalHeaderKey(k)] = vs[0]
		}
	}
	return m
}

// textOf reads a text field: a string, or a number written out (platform
// ids are often numbers). Null is empty.
func textOf(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("want text, got %s", typeName(v))
}

// intOf reads a count: an integer, an integral number or an integer string.
func intOf(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("want a whole number, got %s", typeName(v))
}

// moneyOf reads a money field, which must already be integer minor units.
func moneyOf(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	}
	return 0, fmt.Errorf("money is integer minor units, got %s: convert decimals with minor(x, currency), or take whole minor units with fen(x)", typeName(v))
}

// timeOf reads a time: Unix milliseconds (or seconds, below 10^12), an
// integer string, or RFC 3339 text.
func timeOf(v any) (int64, error) {
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	n, err := intOf(v)
	if err != nil {
		return 0, fmt.Errorf("want Unix milliseconds or RFC 3339 text, got %s", typeName(v))
	}
	if n > 0 && n < 1e12 {
		n *= 1000
	}
	return n, nil
}

func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(shorten(x))
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprintf("%v", v)
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Platform and Kinds describe the mapping format: its kinds are whatever
// the mapping's kind expression names.
func (mappingAdapter) Platform() string { return "Any JSON webhook" }
func (mappingAdapter) Kinds() []string  { return []string{} }
