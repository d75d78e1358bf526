package livedeck

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// A room's event stream holds entries of two shapes. Version 1, written by
// every LiveDeck before stream format 2 and still by stock changes, is one
// event per entry: field "e", the event's JSON. Version 2 packs the new
// events of one ingest call into one entry: field "v" = "2" and field "b",
// their JSON one per line (JSON strings never hold a raw newline). Both
// shapes may follow each other in one stream; readers take both through
// DecodeEntry. An entry is folded whole, so a reader's checkpoint, which
// is an entry id, still falls between events.
const (
	EntryEvent   = "e" // version 1: one event
	EntryVersion = "v" // version of a packed entry
	EntryBatch   = "b" // version 2: events, one per line
	EntryPacked  = "2" // the value of EntryVersion for EntryBatch
)

// DecodeEntry appends the events of one stream entry, given its fields, to
// evs. A packed entry's events that do not decode are left out and the
// first such failure is returned with the others; an entry of an unknown
// shape returns evs unchanged and an error.
func DecodeEntry(fields map[string]any, evs []Event) ([]Event, error) {
	if v, ok := fields[EntryVersion]; ok {
		if v != EntryPacked {
			return evs, fmt.Errorf("stream entry of unknown version %v", v)
		}
		b, _ := fields[EntryBatch].(string)
		// Decoding reads bytes and copies out what it keeps, so the
		// entry is copied into a pooled buffer rather than a new one.
		bp := batchBufs.Get().(*[]byte)
		buf := append((*bp)[:0], b...)
		evs, err := decodeBatch(buf, evs)
		*bp = buf[:0]
		batchBufs.Put(bp)
		return evs, err
	}
	e, ok := fields[EntryEvent].(string)
	if !ok {
		return evs, fmt.Errorf("stream entry with neither an event nor a version")
	}
	evs = append(evs, Event{})
	if err := DecodeStored([]byte(e), &evs[len(evs)-1]); err != nil {
		return evs[:len(evs)-1], err
	}
	return evs, nil
}

// batchBufs are the byte buffers packed entries are decoded from.
var batchBufs = sync.Pool{New: func() any { return new([]byte) }}

// EntryLen is how many events a stream entry holds, without decoding
// them: callers size one slice for a read's events instead of growing it.
func EntryLen(fields map[string]any) int {
	if fields[EntryVersion] == EntryPacked {
		b, _ := fields[EntryBatch].(string)
		return strings.Count(b, "\n") + 1
	}
	return 1
}

func decodeBatch(b []byte, evs []Event) ([]Event, error) {
	evs = slices.Grow(evs, bytes.Count(b, []byte{'\n'})+1) // no-op when sized by EntryLen
	var first error
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		evs = append(evs, Event{})
		if err := DecodeStored(line, &evs[len(evs)-1]); err != nil {
			evs = evs[:len(evs)-1]
			if first == nil {
				first = err
			}
		}
	}
	return evs, first
}
