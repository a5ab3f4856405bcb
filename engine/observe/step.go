package observe

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

// Kind says what happened in a step of an event's trace.
type Kind string

// The kinds of step, in the order an event usually meets them.
const (
	KindReceived     Kind = "received"
	KindTransformed  Kind = "transformed"
	KindEnqueued     Kind = "enqueued"
	KindAttempted    Kind = "attempted"
	KindDeadLettered Kind = "dead_lettered"
	KindReplayed     Kind = "replayed"
)

// Status is the outcome of a step, and of an event at a node.
type Status string

// Step outcomes. StatusFailed is a transform error or a failed delivery
// attempt (retried when the step has Next); StatusDead means a node gave up.
const (
	StatusReceived    Status = "received"
	StatusTransformed Status = "transformed"
	StatusDropped     Status = "dropped"
	StatusFailed      Status = "failed"
	StatusQueued      Status = "queued"
	StatusDelivered   Status = "delivered"
	StatusDead        Status = "dead"
	StatusReplayed    Status = "replayed"
)

// statuses maps a status to the byte that stands for it in keys; the
// index of a status in this list is its code.
var statuses = [...]Status{"", StatusReceived, StatusTransformed, StatusDropped, StatusFailed,
	StatusQueued, StatusDelivered, StatusDead, StatusReplayed}

// kinds maps a kind to its byte in keys, as statuses does.
var kinds = [...]Kind{"", KindReceived, KindTransformed, KindEnqueued, KindAttempted, KindDeadLettered, KindReplayed}

func kindCode(k Kind) byte {
	for i, x := range kinds {
		if x == k {
			return byte(i)
		}
	}
	return 0
}

func kindOf(b byte) Kind {
	if int(b) < len(kinds) {
		return kinds[b]
	}
	return ""
}

func statusCode(s Status) byte {
	for i, x := range statuses {
		if x == s {
			return byte(i)
		}
	}
	return 0
}

func statusOf(b byte) Status {
	if int(b) < len(statuses) {
		return statuses[b]
	}
	return ""
}

// Payload is a body as kept in a trace. Data is the body itself when it
// fits in the configured size; a longer body is kept as a JSON string of
// its first bytes with Truncated set. Size is always the full size.
type Payload struct {
	Data      json.RawMessage `json:"data"`
	Truncated bool            `json:"truncated,omitempty"`
	Size      int             `json:"size"`
}

// OutputStep is one event a transform emitted.
type OutputStep struct {
	ID    string   `json:"id"`
	Route string   `json:"route,omitempty"`
	Body  *Payload `json:"body,omitempty"`
}

// Step is one thing that happened to an event. Which fields are set
// depends on Kind: Source, Meta and Body on received; Input, Outputs and
// Logs on transformed; Attempt, Request, Code, Response and Next on
// attempted; Reason on dead_lettered and replayed.
type Step struct {
	// Event is the id of the event the step is about: the traced id or
	// one of its fan-out descendants (<id>-<n>).
	Event  string    `json:"event"`
	Kind   Kind      `json:"kind"`
	Node   string    `json:"node"`
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	// Took is how long the step ran (a transform, a delivery attempt).
	Took  component.Duration `json:"took,omitempty"`
	Error string             `json:"error,omitempty"`

	Source     string      `json:"source,omitempty"`
	ReceivedAt time.Time   `json:"received_at,omitzero"`
	Meta       *event.Meta `json:"meta,omitempty"`
	Body       *Payload    `json:"body,omitempty"`

	Input *Payload `json:"input,omitempty"`
	// SameInput, as stored, means the input was the event's body as the
	// step before left it (not stored twice); Trace fills Input in from
	// that step and clears it.
	SameInput bool         `json:"same_input,omitempty"`
	Outputs   []OutputStep `json:"outputs,omitempty"`
	Logs      []string     `json:"logs,omitempty"`

	Attempt  int       `json:"attempt,omitempty"`
	Request  string    `json:"request,omitempty"`
	Code     int       `json:"code,omitempty"`
	Response string    `json:"response,omitempty"`
	Next     time.Time `json:"next,omitzero"`

	Reason string `json:"reason,omitempty"`
}

// rec is what a Recorder call hands to the writer: the cheap-to-copy
// parts of the call, turned into a Step off the hot path.
type rec struct {
	kind    Kind
	node    string
	at      time.Time
	ev      event.Event
	outputs []component.Output
	err     error
	took    time.Duration
	logs    []string
	attempt int
	receipt component.Receipt
	next    time.Time
	reason  string
	// flush, when set, makes the writer commit what it holds and close it.
	flush chan struct{}
}

// step builds the Step of a record, bounding bodies to maxBody bytes and
// responses to maxResp bytes.
func (r *rec) step(maxBody, maxResp int) *Step {
	s := new(Step)
	r.fill(s, maxBody, maxResp)
	return s
}

// fill is step into a Step the caller reuses. s may point into r (Meta)
// and r's bodies afterwards.
func (r *rec) fill(s *Step, maxBody, maxResp int) {
	*s = Step{Event: r.ev.ID, Kind: r.kind, Node: r.node, At: r.at, Took: component.Duration(r.took)}
	if r.err != nil {
		s.Error = r.err.Error()
	}
	switch r.kind {
	case KindReceived:
		s.Status = StatusReceived
		s.Source = r.ev.Source
		s.ReceivedAt = r.ev.ReceivedAt
		if !metaEmpty(&r.ev.Meta) {
			s.Meta = &r.ev.Meta
		}
		s.Body = payload(r.ev.Body, maxBody)
	case KindTransformed:
		s.Input = payload(r.ev.Body, maxBody)
		s.Logs = r.logs
		switch {
		case r.err != nil:
			s.Status = StatusFailed
		case len(r.outputs) == 0:
			s.Status = StatusDropped
		default:
			s.Status = StatusTransformed
			s.Outputs = make([]OutputStep, len(r.outputs))
			for i, o := range r.outputs {
				s.Outputs[i] = OutputStep{ID: OutputID(r.ev.ID, i, len(r.outputs)), Route: o.Route, Body: payload(o.Body, maxBody)}
			}
		}
	case KindEnqueued:
		s.Status = StatusQueued
	case KindAttempted:
		s.Attempt = r.attempt
		s.Request = r.receipt.Request
		s.Code = r.receipt.Status
		s.Response = bound(r.receipt.Response, maxResp)
		s.Next = r.next
		if r.err == nil {
			s.Status = StatusDelivered
		} else {
			s.Status = StatusFailed
		}
	case KindDeadLettered:
		s.Status = StatusDead
		s.Reason = r.reason
	case KindReplayed:
		s.Status = StatusReplayed
		s.Reason = r.reason
	}
}

// OutputID is the id the runtime gives output i of n that a transform
// made of event id: the same id for a single output, <id>-<i> for a
// fan-out.
func OutputID(id string, i, n int) string {
	if n <= 1 {
		return id
	}
	return id + "-" + strconv.Itoa(i)
}

func metaEmpty(m *event.Meta) bool {
	return len(m.Headers) == 0 && len(m.Query) == 0 && m.Path == "" && m.Remote == "" && len(m.Extra) == 0
}

// payload keeps body whole up to max bytes, else a JSON string of its
// first max bytes (cut at a rune boundary).
func payload(body json.RawMessage, max int) *Payload {
	if body == nil {
		return nil
	}
	p := &Payload{Size: len(body)}
	if len(body) <= max {
		p.Data = body
		return p
	}
	p.Truncated = true
	q, _ := json.Marshal(bound(string(body), max))
	p.Data = q
	return p
}

// bound cuts s to at most max bytes at a rune boundary.
func bound(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	s = s[:max]
	return s
}
