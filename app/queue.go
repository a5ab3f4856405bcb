package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sluice-etl/sluice/engine/runtime"
)

// deadShown bounds the dead letters a queue view lists.
const deadShown = 50

// Queue is a destination of the running flow as an operator sees it: its
// delivery state and its dead letters (the newest first).
type Queue struct {
	runtime.DestinationStatus
	Dead []DeadItem `json:"dead"`
}

// DeadItem is one dead letter.
type DeadItem struct {
	ID       string          `json:"id"`
	Reason   string          `json:"reason"`
	DeadAt   time.Time       `json:"dead_at"`
	Attempts int             `json:"attempts"`
	Body     json.RawMessage `json:"body"`
}

// Queue returns a destination's delivery state and dead letters.
func (r *Runs) Queue(node string) (*Queue, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queueLocked(node)
}

// Pause holds delivery to a destination (events keep queueing).
func (r *Runs) Pause(node string) (*Queue, error) {
	return r.act(node, func(rt *runtime.Runtime) error { return rt.Pause(node) })
}

// Resume lets a paused destination deliver again.
func (r *Runs) Resume(node string) (*Queue, error) {
	return r.act(node, func(rt *runtime.Runtime) error { return rt.Resume(node) })
}

// ReplayDead puts every dead letter of a destination back into its queue.
func (r *Runs) ReplayDead(node string) (*Queue, error) {
	return r.act(node, func(rt *runtime.Runtime) error {
		_, err := rt.ReplayDead(node)
		return err
	})
}

func (r *Runs) act(node string, fn func(*runtime.Runtime) error) (*Queue, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return nil, errors.New("no flow is running")
	}
	if err := fn(r.cur.rt); err != nil {
		return nil, err
	}
	return r.queueLocked(node)
}

func (r *Runs) queueLocked(node string) (*Queue, error) {
	if r.cur == nil {
		return nil, errors.New("no flow is running")
	}
	q := &Queue{Dead: []DeadItem{}}
	found := false
	for _, d := range r.cur.rt.Status().Destinations {
		if d.ID == node {
			q.DestinationStatus, found = d, true
		}
	}
	if !found {
		return nil, fmt.Errorf("%q is not a destination of the running flow", node)
	}
	dead, err := r.cur.st.DeadLetters(node, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("dead letters of %s: %w", node, err)
	}
	for i := len(dead) - 1; i >= 0 && len(q.Dead) < deadShown; i-- {
		d := dead[i]
		it := DeadItem{Reason: d.Reason, DeadAt: d.DeadAt, Attempts: len(d.Attempts)}
		if d.Event != nil {
			it.ID, it.Body = d.Event.ID, d.Event.Body
		}
		q.Dead = append(q.Dead, it)
	}
	return q, nil
}
