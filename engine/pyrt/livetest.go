package pyrt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// TestRequest is a live test of a transform on sample events, as the
// designer's test panel and `sluice test` run it.
type TestRequest struct {
	Code     string            `json:"code"`
	Function string            `json:"function"` // default "transform"
	Timeout  time.Duration     `json:"timeout"`  // per event; default 1s
	Workers  int               `json:"workers"`  // worker processes; default 1
	Events   []json.RawMessage `json:"events"`
	// Metas, optional, are the meta of each event (same length as
	// Events); by default each event gets id "test-N", source "test" and
	// the time of the test.
	Metas []*Meta `json:"metas,omitempty"`
}

// TestReport is the answer to a TestRequest. When the code does not
// compile, CompileError says where and Results is empty.
type TestReport struct {
	CompileError *Error       `json:"compile_error"`
	Results      []TestResult `json:"results"`
}

// TestResult is what became of one sample event.
type TestResult struct {
	Index   int               `json:"index"`
	Outputs []json.RawMessage `json:"outputs"`
	// Routes is set when the function routed its outputs: the route of
	// each output, "" for none.
	Routes []string `json:"routes,omitempty"`
	Error  *Error   `json:"error"`
	Logs   []string `json:"logs"`
	// DurationMS is the time the event took in the worker.
	DurationMS float64 `json:"duration_ms"`
}

// Test runs code on sample events in worker processes (one per call, so
// that a runaway test can never hurt a running flow) and reports per
// event. The error is for problems of the host (no worker could start),
// never for problems of the code.
func Test(ctx context.Context, req TestRequest) (TestReport, error) {
	if perr := CheckSyntax(req.Code); perr != nil {
		return TestReport{CompileError: perr, Results: []TestResult{}}, nil
	}
	pool, err := NewPool(ctx, Config{Code: req.Code, Function: req.Function, Timeout: req.Timeout, Workers: max(req.Workers, 1)})
	if err != nil {
		var perr *Error
		if errors.As(err, &perr) {
			return TestReport{CompileError: perr, Results: []TestResult{}}, nil
		}
		return TestReport{}, fmt.Errorf("live test: %w", err)
	}
	defer pool.Close()
	now := time.Now().UTC()
	items := make([]Item, len(req.Events))
	for i, ev := range req.Events {
		m := &Meta{ID: fmt.Sprintf("test-%d", i), Source: "test", ReceivedAt: now}
		if i < len(req.Metas) && req.Metas[i] != nil {
			m = req.Metas[i]
		}
		items[i] = Item{Body: ev, Meta: m}
	}
	res, err := pool.Run(ctx, items)
	if err != nil {
		return TestReport{}, fmt.Errorf("live test: %w", err)
	}
	rep := TestReport{Results: make([]TestResult, len(res))}
	for i, r := range res {
		outs := r.Outputs
		if outs == nil {
			outs = []json.RawMessage{}
		}
		logs := r.Logs
		if logs == nil {
			logs = []string{}
		}
		rep.Results[i] = TestResult{Index: i, Outputs: outs, Routes: r.Routes, Error: r.Err, Logs: logs, DurationMS: float64(r.Duration) / float64(time.Millisecond)}
	}
	return rep, nil
}
