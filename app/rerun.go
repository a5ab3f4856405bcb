package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-etl/sluice/engine/observe"
)

// StepInput is what a transform node was given for one event and what it
// made of it then: the designer runs Input through the transform's current
// code (Tester.Run) and shows the new result beside this one.
type StepInput struct {
	// Event is the id the transform step is about.
	Event string `json:"event"`
	Node  string `json:"node"`
	// Input is the body as it entered the transform.
	Input json.RawMessage `json:"input"`
	// Status is the recorded outcome: transformed, dropped or failed.
	Status  string            `json:"status"`
	Outputs []json.RawMessage `json:"outputs"`
	Error   string            `json:"error,omitempty"`
}

// TransformInput finds, in the trace of eventID, the transform step at
// node (empty: the last transform that made eventID or failed on it) and
// returns the body that entered it with what the transform recorded.
func (r *Runs) TransformInput(eventID, node string) (*StepInput, error) {
	steps, err := r.Trace(eventID)
	if err != nil {
		return nil, err
	}
	var found *observe.Step
	for i := range steps {
		s := &steps[i]
		if s.Kind != observe.KindTransformed || (node != "" && s.Node != node) {
			continue
		}
		if node != "" || leadsTo(s, eventID) {
			found = s // the last one is the nearest to eventID
		}
	}
	if found == nil {
		where := "any transform"
		if node != "" {
			where = node
		}
		return nil, fmt.Errorf("the trace of %s has no step at %s", eventID, where)
	}
	if found.Input == nil {
		return nil, fmt.Errorf("the trace of %s keeps no input at %s", eventID, found.Node)
	}
	if found.Input.Truncated {
		return nil, fmt.Errorf("the input of %s at %s was cut at %d of %d bytes in the trace; it cannot be run again from there",
			found.Event, found.Node, len(found.Input.Data), found.Input.Size)
	}
	in := &StepInput{Event: found.Event, Node: found.Node, Input: found.Input.Data, Status: string(found.Status),
		Outputs: []json.RawMessage{}, Error: found.Error}
	for _, o := range found.Outputs {
		if o.Body != nil {
			in.Outputs = append(in.Outputs, o.Body.Data)
		}
	}
	return in, nil
}

// leadsTo says whether a transform step is about id, one of its ancestors
// (<ancestor>-<n>), or made id.
func leadsTo(s *observe.Step, id string) bool {
	if s.Event == id || strings.HasPrefix(id, s.Event+"-") {
		return true
	}
	for _, o := range s.Outputs {
		if o.ID == id {
			return true
		}
	}
	return false
}

// DeadLetters lists the dead letters of any node of the running flow, the
// newest first: a destination's undeliverable events, or the events a
// transform failed on (their body is the transform's input).
func (r *Runs) DeadLetters(node string) ([]DeadItem, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return nil, errors.New("no flow is running")
	}
	dead, err := r.cur.st.DeadLetters(node, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("dead letters of %s: %w", node, err)
	}
	out := []DeadItem{}
	for i := len(dead) - 1; i >= 0 && len(out) < deadShown; i-- {
		d := dead[i]
		it := DeadItem{Reason: d.Reason, DeadAt: d.DeadAt, Attempts: len(d.Attempts)}
		if d.Event != nil {
			it.ID, it.Body = d.Event.ID, d.Event.Body
		}
		out = append(out, it)
	}
	return out, nil
}
