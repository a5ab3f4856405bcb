// Package python is the python transform: user code, a function
// transform(event) or transform(event, meta), run on gpython in supervised
// worker processes (see engine/pyrt). The function returns a dict (one
// event), a list of dicts (fan-out) or None (drop: a filter).
package python

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/pyrt"
)

func init() { component.Default.MustRegister(Spec) }

const exampleCode = `def transform(event, meta):
    if event.get("amount", 0) < 0:
        return None                      # drop
    event["email"] = event["email"].lower()
    return event
`

// Spec is the python transform kind.
var Spec = component.Spec{
	Kind:     "python",
	Category: component.CategoryTransform,
	Title:    "Python",
	Summary:  "Transform, filter or fan out events with a Python function.",
	Doc: "The code defines `transform(event)` or `transform(event, meta)`. It returns a dict (one event), " +
		"a list of dicts (several events) or None (drop the event). A `(route, dict)` pair, alone or in the list, " +
		"sends that event only along the edges whose route is `route`. `meta` holds id, source, received_at (ISO 8601) " +
		"and headers. An exception, a timeout or any other return value sends the event to the node's dead letters " +
		"with the error and its line. See docs/python.md for the Python a transform may use.",
	Config: component.Object(
		component.Field{Name: "code", Required: true, Schema: &component.Schema{Type: "string", Widget: "code", MinLength: component.Int(1),
			Title: "Code", Description: "Python source defining the function.", Examples: []any{exampleCode}}},
		component.Field{Name: "function", Schema: &component.Schema{Type: "string", Default: "transform", Pattern: `^[A-Za-z_][A-Za-z0-9_]*$`,
			Title: "Function", Description: "Name of the function called for each event."}},
		component.Field{Name: "timeout", Schema: &component.Schema{Type: "string", Format: "duration", Default: "1s",
			Title: "Timeout", Description: "Longest time one event may take; a slower event fails with a timeout error."}},
		component.Field{Name: "workers", Schema: &component.Schema{Type: "integer", Default: 2, Minimum: component.Float(1), Maximum: component.Float(64),
			Title: "Workers", Description: "Worker processes running the code in parallel."}},
		component.Field{Name: "batch_wait", Schema: &component.Schema{Type: "string", Format: "duration", Default: "5ms",
			Title: "Batch wait", Description: "Longest time the engine holds arriving events to hand them to the workers in one batch. " +
				"Each batch is a round trip to the worker processes, so fuller batches cost less CPU per event; " +
				"\"0s\" hands events over at once, for the lowest latency."}},
	),
	Check:        check,
	NewTransform: New,
}

// check compiles the code so that `sluice validate` and the designer mark
// a syntax error with its line and column.
func check(cfg map[string]any) []component.Problem {
	code, _ := cfg["code"].(string)
	if code == "" {
		return nil
	}
	if perr := pyrt.CheckSyntax(code); perr != nil {
		return []component.Problem{{Field: "code", Message: perr.Error()}}
	}
	return nil
}

// Config is the decoded config of a python node.
type Config struct {
	Code     string             `json:"code"`
	Function string             `json:"function"`
	Timeout  component.Duration `json:"timeout"`
	Workers  int                `json:"workers"`
	// BatchWait is how long the processor may hold events to fill a batch.
	BatchWait component.Duration `json:"batch_wait"`
}

// transform runs the code; its worker processes start on the first batch,
// so that building a flow has no side effects.
type transform struct {
	cfg  pyrt.Config
	wait time.Duration

	mu     sync.Mutex
	pool   *pyrt.Pool
	closed bool
	// codeErr is the error of code that failed at its top level: it would
	// fail the same way again, so it is not retried on every batch.
	codeErr *pyrt.Error
}

var (
	_ component.Transform   = (*transform)(nil)
	_ component.BatchWaiter = (*transform)(nil)
)

// New builds a python transform.
func New(p component.Params) (component.Transform, error) {
	var c Config
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	if perr := pyrt.CheckSyntax(c.Code); perr != nil {
		return nil, fmt.Errorf("node %q: code: %w", p.NodeID, perr)
	}
	return &transform{
		cfg:  pyrt.Config{Code: c.Code, Function: c.Function, Timeout: c.Timeout.D(), Workers: c.Workers, Logger: p.Logger},
		wait: c.BatchWait.D(),
	}, nil
}

// BatchWait implements component.BatchWaiter.
func (t *transform) BatchWait() time.Duration { return t.wait }

func (t *transform) getPool(ctx context.Context) (*pyrt.Pool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, pyrt.ErrClosed
	}
	if t.codeErr != nil {
		return nil, t.codeErr
	}
	if t.pool == nil {
		p, err := pyrt.NewPool(ctx, t.cfg)
		if err != nil {
			var perr *pyrt.Error
			if errors.As(err, &perr) && perr.Kind != pyrt.KindTimeout {
				t.codeErr = perr
			}
			return nil, err
		}
		t.pool = p
	}
	return t.pool, nil
}

// Apply runs the function on each event. A failure of the code (even at
// its top level) fails every event with the error, so the events go to the
// dead letters rather than being retried forever; only a host problem
// (no worker can start, context done) fails the batch.
func (t *transform) Apply(ctx context.Context, evs []*event.Event) ([]component.Result, error) {
	out := make([]component.Result, len(evs))
	pool, err := t.getPool(ctx)
	if err != nil {
		var perr *pyrt.Error
		if errors.As(err, &perr) {
			for i := range out {
				out[i].Err = perr
			}
			return out, nil
		}
		return nil, fmt.Errorf("python transform: %w", err)
	}
	items := make([]pyrt.Item, len(evs))
	for i, ev := range evs {
		items[i] = pyrt.Item{Body: ev.Body, Meta: &pyrt.Meta{ID: ev.ID, Source: ev.Source, ReceivedAt: ev.ReceivedAt, Headers: ev.Meta.Headers}}
	}
	res, err := pool.Run(ctx, items)
	if err != nil {
		return nil, fmt.Errorf("python transform: %w", err)
	}
	for i, r := range res {
		out[i].Duration = r.Duration
		out[i].Logs = r.Logs
		if r.Err != nil {
			out[i].Err = r.Err
			continue
		}
		if len(r.Outputs) > 0 {
			out[i].Outputs = make([]component.Output, len(r.Outputs))
			for j, o := range r.Outputs {
				out[i].Outputs[j] = component.Output{Body: o}
				if r.Routes != nil {
					out[i].Outputs[j].Route = r.Routes[j]
				}
			}
		}
	}
	return out, nil
}

// Close stops the worker processes.
func (t *transform) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if t.pool != nil {
		return t.pool.Close()
	}
	return nil
}
