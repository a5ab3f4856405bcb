package runtime

import (
	"context"
	"log/slog"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/delivery"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/store"
)

// NodeStats are the live counters of one node.
type NodeStats struct {
	ID       string             `json:"id"`
	Kind     string             `json:"kind"`
	Category component.Category `json:"category"`
	// Received: events that reached the node (ingested by a source,
	// passed into a transform, enqueued for a destination).
	Received int64 `json:"received"`
	// Out: events a source or transform passed on.
	Out     int64 `json:"out"`
	Dropped int64 `json:"dropped"`
	Errors  int64 `json:"errors"`
	// Destinations only.
	Queued       int64           `json:"queued"`
	Delivered    int64           `json:"delivered"`
	DeadLettered int64           `json:"dead_lettered"`
	Delivery     *delivery.Stats `json:"delivery,omitempty"`
}

// Stats is a snapshot of the whole flow.
type Stats struct {
	Flow  string      `json:"flow"`
	Ready bool        `json:"ready"`
	Addr  string      `json:"addr"`
	At    time.Time   `json:"at"`
	Nodes []NodeStats `json:"nodes"`
}

// Stats returns the live counters of every node, in document order.
func (rt *Runtime) Stats() Stats {
	s := Stats{Flow: rt.doc.Name, Ready: rt.ready.Load(), Addr: rt.Addr(), At: time.Now().UTC()}
	for _, n := range rt.order {
		ns := NodeStats{ID: n.id, Kind: n.kind, Category: n.cat,
			Received: n.count.received.Load(), Out: n.count.out.Load(),
			Dropped: n.count.dropped.Load(), Errors: n.count.errors.Load(),
			Delivered: n.count.delivered.Load(), DeadLettered: n.count.dead.Load()}
		if n.cat == component.CategoryDestination && rt.st != nil {
			ns.Queued = rt.st.QueueDepth(n.id)
			if n.wk != nil {
				ds := n.wk.Stats()
				ns.Delivery = &ds
			}
		}
		s.Nodes = append(s.Nodes, ns)
	}
	return s
}

// observer turns delivery outcomes into counters and log lines.
type observer struct{ rt *Runtime }

func (o observer) Delivered(dest string, it *store.QueueItem, r component.Receipt, took time.Duration) {
	n := o.rt.nodes[dest]
	n.count.delivered.Add(1)
	o.rt.opts.Recorder.Attempted(dest, it.Event, it.Attempts+1, r, nil, took, time.Time{})
	if n.log.Enabled(context.Background(), slog.LevelDebug) {
		n.log.Debug("delivered", "event_id", it.Event.ID, "status", r.Status, "took", took)
	}
}

func (o observer) Failed(dest string, it *store.QueueItem, r component.Receipt, err error, next time.Time) {
	n := o.rt.nodes[dest]
	n.count.errors.Add(1)
	o.rt.opts.Recorder.Attempted(dest, it.Event, it.Attempts, r, err, 0, next)
	args := []any{"event_id", it.Event.ID, "attempt", it.Attempts, "err", err}
	if !next.IsZero() {
		args = append(args, "retry_in", time.Until(next).Round(time.Millisecond))
	}
	n.log.Warn("delivery failed", args...)
}

func (o observer) Dead(dest string, it *store.QueueItem, reason string) {
	n := o.rt.nodes[dest]
	n.count.dead.Add(1)
	o.rt.opts.Recorder.DeadLettered(dest, it.Event, reason)
	n.log.Error("event dead-lettered", "event_id", it.Event.ID, "reason", reason)
}

func newAlertEvent(rt *Runtime, source string, body []byte) *event.Event {
	now := time.Now().UTC()
	return &event.Event{ID: rt.ids.New(now), Source: source, ReceivedAt: now,
		Meta: event.Meta{Extra: map[string]any{"alert": true}}, Body: body}
}
