package app

import (
	"context"
	"errors"
	"time"

	"github.com/sluice-etl/sluice/engine/observe"
)

// maxEvents bounds the events one Events call lists.
const maxEvents = 200

// Events lists recent events of the running flow, newest first: at node
// (empty: anywhere), with status (empty: any; "failed" also matches dead).
func (r *Runs) Events(node, status string, limit int) ([]observe.EventSummary, error) {
	t, err := r.tracesNow()
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxEvents {
		limit = maxEvents
	}
	evs, err := t.Events(observe.Query{Node: node, Status: status, Limit: limit})
	if evs == nil {
		evs = []observe.EventSummary{}
	}
	return evs, err
}

// Trace returns every step of an event and its fan-out descendants, from
// receipt through each transform to each delivery attempt.
func (r *Runs) Trace(eventID string) ([]observe.Step, error) {
	t, err := r.tracesNow()
	if err != nil {
		return nil, err
	}
	steps, err := t.Trace(eventID)
	if steps == nil {
		steps = []observe.Step{}
	}
	return steps, err
}

// tracesNow returns the running flow's traces with every step recorded so
// far written.
func (r *Runs) tracesNow() (*observe.Traces, error) {
	r.mu.Lock()
	cur := r.cur
	r.mu.Unlock()
	if cur == nil {
		return nil, errors.New("no flow is running")
	}
	t := cur.rt.Traces()
	if t == nil {
		return nil, errors.New("the running flow keeps no traces")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = t.Flush(ctx) // a slow writer only makes the view a little stale
	return t, nil
}
