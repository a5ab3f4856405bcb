// Package component defines what a node kind is: its Spec (schema, docs and
// constructor), the Source, Transform and Destination contracts, and the
// Registry the engine, the CLI and the designer all read.
package component

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sluice-etl/sluice/engine/event"
)

// Category says where a node may stand in a flow.
type Category string

// The three categories of node.
const (
	CategorySource      Category = "source"
	CategoryTransform   Category = "transform"
	CategoryDestination Category = "destination"
)

// Params is what a constructor receives: the node id, its config with
// defaults applied and secret references resolved, and a logger that
// already carries the flow and node.
type Params struct {
	Flow   string
	NodeID string
	Config map[string]any
	Logger *slog.Logger
}

// Decode converts the config into a typed struct through its JSON tags.
// Duration fields should use the Duration type of this package.
func (p Params) Decode(v any) error {
	raw, err := json.Marshal(p.Config)
	if err != nil {
		return fmt.Errorf("node %q: encode config: %w", p.NodeID, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("node %q: config: %w", p.NodeID, err)
	}
	return nil
}

// Source produces events. Construction has no side effects; Open acquires
// (registers routes, installs schedules) and returns quickly; events are then
// emitted through the host from goroutines the source owns. Close stops
// them: after Close returns the source never calls the host again. Close
// must work after a failed Open.
type Source interface {
	Open(ctx context.Context, host SourceHost) error
	Close(ctx context.Context) error
}

// SourceHost is the runtime as a source sees it.
type SourceHost interface {
	// Ingest makes the events durable (synced to disk) and only then
	// returns. It fills in ID, Source and ReceivedAt where they are empty.
	// A returned error wrapping ErrUnavailable means the store cannot
	// accept right now (the sender should retry later); nothing of the
	// batch was stored then.
	Ingest(ctx context.Context, items []Item) error
	// Handle routes requests for an exact path on the runner's listener.
	Handle(path string, h http.Handler) error
	// State is a small durable key-value store private to the node.
	State() State
	// Logger logs with the flow and node attached.
	Logger() *slog.Logger
}

// Item is one event offered to Ingest. When DedupeKey is set and an item with
// the same key was ingested by this node within DedupeTTL, the item is
// skipped (Accepted stays false) in the same transaction, so a key is never
// half-recorded.
//
// When State is set, it is written to the node's state in the same
// transaction: a source's position (a counter, a file offset) then moves
// with the events it covers, and a crash keeps both or neither.
type Item struct {
	Event     *event.Event
	DedupeKey string
	DedupeTTL time.Duration
	State     *StateWrite
	Accepted  bool
}

// StateWrite is one key of a node's State, set along with an Ingest.
type StateWrite struct {
	Key   string
	Value []byte
}

// State is a durable key-value store scoped to one node.
type State interface {
	Get(key string) ([]byte, bool, error)
	Set(key string, value []byte) error
	Delete(key string) error
}

// Transform maps events to zero or more events. Apply gets a batch and
// returns one Result per input event, in order. A non-nil error means the
// batch could not be run at all (the engine retries it later); a failure of
// one event goes in its Result.
type Transform interface {
	Apply(ctx context.Context, evs []*event.Event) ([]Result, error)
	Close() error
}

// BatchWaiter is implemented by transforms whose cost per event falls as
// their batches grow, such as a python node, whose every batch is a round
// trip to its worker processes. The processor then waits up to the
// longest BatchWait of the flow's transforms to gather a fuller batch,
// instead of handing over at once the few events that are there.
type BatchWaiter interface {
	BatchWait() time.Duration
}

// Result is what a transform made of one event.
type Result struct {
	// Outputs are the events to pass on; none means the event was dropped.
	Outputs []Output
	// Err is set when the transform failed on this event; the event then
	// goes to the node's dead letters with this error.
	Err error
	// Logs is what the transform printed while handling the event.
	Logs []string
	// Duration is the time spent on this event.
	Duration time.Duration
}

// Output is one event a transform emitted. Route, when set, sends it only
// along edges whose label matches; empty goes along every edge.
type Output struct {
	Body  json.RawMessage
	Route string
}

// Destination delivers events. Deliver returns nil once the event is
// delivered; a *Failure classifies what went wrong; any other error counts
// as a network error (retried).
type Destination interface {
	Deliver(ctx context.Context, ev *event.Event) (Receipt, error)
	Close(ctx context.Context) error
}

// Receipt describes one delivery attempt, for traces.
type Receipt struct {
	Request  string // a one-line summary, e.g. "POST https://host/path"
	Status   int    // protocol status where there is one (HTTP)
	Response string // a bounded excerpt of the response
}

// FailureClass tells the delivery worker how to treat a failed attempt.
type FailureClass string

// Failure classes.
const (
	FailNetwork   FailureClass = "network"   // connection refused, timeout, reset: retried
	FailServer    FailureClass = "server"    // 5xx or 408: retried
	FailThrottled FailureClass = "throttled" // 429: retried, Retry-After honoured
	FailRejected  FailureClass = "rejected"  // other 4xx: dead letter at once
)

// Failure is a classified delivery error.
type Failure struct {
	Class      FailureClass
	Status     int
	RetryAfter time.Duration
	Err        error
}

func (f *Failure) Error() string {
	if f.Status != 0 {
		return fmt.Sprintf("%s (status %d): %v", f.Class, f.Status, f.Err)
	}
	return fmt.Sprintf("%s: %v", f.Class, f.Err)
}

func (f *Failure) Unwrap() error { return f.Err }

// Classify returns the failure class of an error returned by Deliver.
func Classify(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	return &Failure{Class: FailNetwork, Err: err}
}

// ErrUnavailable is wrapped by SourceHost.Ingest when the store cannot
// accept events (closing, disk full): senders should retry later.
var ErrUnavailable = errors.New("store unavailable")

// Duration is a time.Duration that reads "1s", "10m", "72h" from config.
type Duration time.Duration

// UnmarshalJSON accepts a Go duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			*d = 0
			return nil
		}
		p, err := time.ParseDuration(x)
		if err != nil {
			return fmt.Errorf("invalid duration %q (use e.g. 500ms, 30s, 10m, 2h)", x)
		}
		*d = Duration(p)
	case float64:
		*d = Duration(x * float64(time.Second))
	case nil:
		*d = 0
	default:
		return fmt.Errorf("invalid duration %v", v)
	}
	return nil
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
