package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/pyrt"
	"github.com/sluice-etl/sluice/engine/secret"
)

// Tester runs a transform node against sample events, the way the engine
// would, without a flow around it.
type Tester struct {
	reg *component.Registry
}

// TestRequest is one live test: a transform kind, its config as edited and
// the sample event bodies.
type TestRequest struct {
	Kind   string            `json:"kind"`
	Config map[string]any    `json:"config"`
	Events []json.RawMessage `json:"events"`
}

// TestResult is what the transform made of each event. A config that does
// not build (Python that does not compile) is reported in BuildError, not
// as an error of the call, so the editor can mark the line.
type TestResult struct {
	BuildError *TestError    `json:"build_error,omitempty"`
	Results    []EventResult `json:"results"`
	Millis     float64       `json:"millis"`
}

// EventResult is the outcome for one sample event: outputs (none means
// dropped), or an error, and what the code printed.
type EventResult struct {
	Index   int               `json:"index"`
	Outputs []json.RawMessage `json:"outputs"`
	Dropped bool              `json:"dropped"`
	Error   *TestError        `json:"error,omitempty"`
	Logs    []string          `json:"logs"`
	Millis  float64           `json:"millis"`
}

// TestError is an error with the line (and column, when known) it points at.
type TestError struct {
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
}

// testTimeout bounds one live test.
const testTimeout = 10 * time.Second

// Run builds the transform and applies it to the events.
func (t *Tester) Run(req TestRequest) (*TestResult, error) {
	spec, ok := t.reg.Lookup(req.Kind)
	if !ok {
		return nil, fmt.Errorf("test: unknown kind %q", req.Kind)
	}
	if spec.Category != component.CategoryTransform {
		return nil, fmt.Errorf("test: %s is a %s; only transforms can be tested", req.Kind, spec.Category)
	}
	if len(req.Events) == 0 {
		return nil, errors.New("test: give at least one sample event")
	}
	evs := make([]*event.Event, len(req.Events))
	ids := event.NewIDs()
	now := time.Now()
	for i, body := range req.Events {
		if !json.Valid(body) {
			return nil, fmt.Errorf("test: sample event %d is not valid JSON", i+1)
		}
		evs[i] = &event.Event{ID: ids.New(now), Source: "test", ReceivedAt: now, Body: body}
	}

	start := time.Now()
	res := &TestResult{Results: []EventResult{}}
	cfg := map[string]any{}
	for k, v := range req.Config {
		cfg[k] = v
	}
	if ps := spec.Config.Validate(cfg); len(ps) > 0 {
		p := ps[0]
		res.BuildError = &TestError{Message: p.Field + ": " + p.Message}
		return res, nil
	}
	resolved, err := secret.Resolver{}.ResolveAll(spec.Config.ApplyDefaults(cfg))
	if err != nil {
		res.BuildError = &TestError{Message: err.Error()}
		return res, nil
	}
	m, _ := resolved.(map[string]any)
	tr, err := spec.NewTransform(component.Params{Flow: "test", NodeID: "test", Config: m, Logger: discardLogger()})
	if err != nil {
		res.BuildError = errorAt(err)
		res.Millis = millis(time.Since(start))
		return res, nil
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	out, err := tr.Apply(ctx, evs)
	if err != nil {
		return nil, fmt.Errorf("test: %w", err)
	}
	for i, r := range out {
		er := EventResult{Index: i, Outputs: []json.RawMessage{}, Logs: r.Logs, Millis: millis(r.Duration)}
		if er.Logs == nil {
			er.Logs = []string{}
		}
		if r.Err != nil {
			er.Error = errorAt(r.Err)
		} else {
			for _, o := range r.Outputs {
				er.Outputs = append(er.Outputs, o.Body)
			}
			er.Dropped = len(er.Outputs) == 0
		}
		res.Results = append(res.Results, er)
	}
	res.Millis = millis(time.Since(start))
	return res, nil
}

// lineOf finds a line (and column) in an error message such as
// `line 3`, `line 3:5` or `:3:5:`.
var lineOf = regexp.MustCompile(`(?i)line (\d+)(?:[:, ]+(?:col(?:umn)? )?(\d+))?`)

// positioned is implemented by errors that know where they happened.
type positioned interface{ Position() (line, col int) }

func errorAt(err error) *TestError {
	te := &TestError{Message: err.Error()}
	var pe *pyrt.Error
	if errors.As(err, &pe) {
		te.Line, te.Col = pe.Line, pe.Col
		return te
	}
	var p positioned
	if errors.As(err, &p) {
		te.Line, te.Col = p.Position()
		return te
	}
	if m := lineOf.FindStringSubmatch(te.Message); m != nil {
		te.Line, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			te.Col, _ = strconv.Atoi(m[2])
		}
	}
	return te
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
