// Package event defines the envelope every Sluice event travels in, from the
// source that received it to every destination that delivers it.
package event

import (
	"crypto/rand"
	"encoding/json"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Event is the envelope: an id assigned at receipt, the source node that
// received it, the receipt time, out-of-band metadata (headers, query, ...)
// and the body decoded from the sender's native format into JSON.
//
// The body is kept as raw JSON so that a pass-through flow never re-encodes
// it and key order is preserved exactly as received.
type Event struct {
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	ReceivedAt time.Time       `json:"received_at"`
	Meta       Meta            `json:"meta,omitempty"`
	Body       json.RawMessage `json:"body"`
}

// Meta is the out-of-band part of an event. Headers carry the first value of
// each header under its canonical name.
type Meta struct {
	Headers map[string]string `json:"headers,omitempty"`
	Query   map[string]string `json:"query,omitempty"`
	Path    string            `json:"path,omitempty"`
	Remote  string            `json:"remote,omitempty"`
	// Extra holds anything a source kind wants to attach (topic, offset, ...).
	Extra map[string]any `json:"extra,omitempty"`
}

// IDs hands out sortable unique ids (ULIDs) that are strictly increasing
// within one process, so ids sort in receipt order.
type IDs struct {
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
}

// NewIDs returns a generator of event ids.
func NewIDs() *IDs {
	return &IDs{entropy: ulid.Monotonic(rand.Reader, 0)}
}

// New returns a new id for an event received at t.
func (g *IDs) New(t time.Time) string {
	g.mu.Lock()
	id, err := ulid.New(ulid.Timestamp(t), g.entropy)
	g.mu.Unlock()
	if err != nil {
		// Monotonic entropy overflows only after 2^80 ids in one
		// millisecond; fall back to fresh entropy rather than fail.
		id = ulid.MustNew(ulid.Timestamp(t), rand.Reader)
	}
	return id.String()
}

// ValidID reports whether s has the shape of an event id.
func ValidID(s string) bool {
	_, err := ulid.ParseStrict(s)
	return err == nil
}

// Payload returns what a destination sends: the body as the last transform
// left it, or, when envelope is true, the whole envelope as JSON.
func (e *Event) Payload(envelope bool) ([]byte, error) {
	if !envelope {
		if len(e.Body) == 0 {
			return []byte("null"), nil
		}
		return e.Body, nil
	}
	return json.Marshal(e)
}
