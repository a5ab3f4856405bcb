// Package observe records what happens to every event (traces kept in
// Badger with retention), exposes Prometheus metrics, and answers the
// questions an operator asks: what happened to this event, what went
// through this node lately.
package observe

import (
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

// Recorder is what the runtime tells about events as they move. Every call
// must be cheap and must never block the caller for long: implementations
// buffer and write in the background, dropping (and counting) trace records
// rather than slowing the flow when they cannot keep up.
type Recorder interface {
	// Received: a source accepted the event (it is durable).
	Received(ev *event.Event)
	// Transformed: a transform ran on the event; outputs empty and err
	// nil means dropped.
	Transformed(node string, in *event.Event, outputs []component.Output, err error, took time.Duration, logs []string)
	// Enqueued: the event entered a destination's queue.
	Enqueued(dest string, ev *event.Event)
	// Attempted: one delivery attempt; err nil means delivered; next is
	// the time of the next attempt (zero when none).
	Attempted(dest string, ev *event.Event, attempt int, r component.Receipt, err error, took time.Duration, next time.Time)
	// DeadLettered: a node gave up on the event.
	DeadLettered(node string, ev *event.Event, reason string)
	// Replayed: the event was put back into a destination's queue.
	Replayed(dest string, ev *event.Event, why string)
}

// Nop records nothing.
type Nop struct{}

func (Nop) Received(*event.Event) {}
func (Nop) Transformed(string, *event.Event, []component.Output, error, time.Duration, []string) {
}
func (Nop) Enqueued(string, *event.Event) {}
func (Nop) Attempted(string, *event.Event, int, component.Receipt, error, time.Duration, time.Time) {
}
func (Nop) DeadLettered(string, *event.Event, string) {}
func (Nop) Replayed(string, *event.Event, string)     {}

var _ Recorder = Nop{}
