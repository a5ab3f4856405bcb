package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/app"
	"github.com/sluice-etl/sluice/engine/flow"
)

func sameJSON(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(a, b)
}

// A transform failure and a destination's dead letter can both be traced
// back to the body that entered the transform, and run again through new
// code with the live tester.
func TestTransformInputAndDeadLetters(t *testing.T) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest) // not retried: dead at once
	}))
	defer sink.Close()
	a := newApp(t, nil)
	code := "def transform(event):\n    if event['n'] < 0:\n        raise ValueError('negative')\n    event['n'] += 1\n    return event\n"
	doc := &flow.Doc{Version: 1, Name: "rerun-test", Nodes: []flow.Node{
		{ID: "in", Kind: "webhook", Config: map[string]any{"path": "/in"}},
		{ID: "up", Kind: "python", Config: map[string]any{"code": code}},
		{ID: "out", Kind: "http", Config: map[string]any{"url": sink.URL}},
	}, Edges: []flow.Edge{{From: "in", To: "up"}, {From: "up", To: "out"}}}
	st, err := a.Runs.Start(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{`{"n":1}`, `{"n":-1}`} {
		resp, err := http.Post(st.Endpoints[0].URL, "application/json", strings.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	var failed []app.DeadItem
	checkFor(t, 10*time.Second, func() error {
		failed, err = a.Runs.DeadLetters("up")
		if err != nil {
			return err
		}
		if len(failed) != 1 {
			return fmt.Errorf("transform dead letters %+v", failed)
		}
		return nil
	})
	if !sameJSON(t, failed[0].Body, `{"n":-1}`) || !strings.Contains(failed[0].Reason, "negative") {
		t.Errorf("transform dead letter %+v", failed[0])
	}
	in, err := a.Runs.TransformInput(failed[0].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Node != "up" || in.Status != "failed" || !strings.Contains(in.Error, "negative") || !sameJSON(t, in.Input, `{"n":-1}`) || len(in.Outputs) != 0 {
		t.Errorf("input of the failed event %+v", in)
	}

	var dead []app.DeadItem
	checkFor(t, 10*time.Second, func() error {
		q, err := a.Runs.Queue("out")
		if err != nil {
			return err
		}
		if dead = q.Dead; len(dead) != 1 {
			return fmt.Errorf("destination dead letters %+v", dead)
		}
		return nil
	})
	in, err = a.Runs.TransformInput(dead[0].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Node != "up" || in.Status != "transformed" || !sameJSON(t, in.Input, `{"n":1}`) || len(in.Outputs) != 1 || !sameJSON(t, in.Outputs[0], `{"n":2}`) {
		t.Errorf("input of the dead letter %+v", in)
	}
	if in2, err := a.Runs.TransformInput(dead[0].ID, "up"); err != nil || in2.Event != in.Event {
		t.Errorf("by node: %+v, %v", in2, err)
	}

	// The current code, through the live tester.
	res, err := a.Tester.Run(app.TestRequest{Kind: "python", Config: map[string]any{"code": "def transform(event):\n    event['n'] *= 10\n    return event\n"},
		Events: []json.RawMessage{in.Input}})
	if err != nil || len(res.Results) != 1 || len(res.Results[0].Outputs) != 1 || !sameJSON(t, res.Results[0].Outputs[0], `{"n":10}`) {
		t.Errorf("re-run: %+v, %v", res, err)
	}

	if _, err := a.Runs.TransformInput(dead[0].ID, "in"); err == nil {
		t.Error("a source has no transform step")
	}
	if _, err := a.Runs.TransformInput("nope", ""); err == nil {
		t.Error("an unknown event has no input")
	}
}

func TestTransformInputNeedsARun(t *testing.T) {
	a := newApp(t, nil)
	if _, err := a.Runs.TransformInput("x", ""); err == nil {
		t.Error("no run, no trace")
	}
	if _, err := a.Runs.DeadLetters("x"); err == nil {
		t.Error("no run, no dead letters")
	}
}

// The new methods are served over HTTP like every other.
func TestRerunMethodsOverHTTP(t *testing.T) {
	a := newApp(t, nil)
	h := app.NewHTTPHandler(a, "", nil)
	for _, m := range []string{"Runs/TransformInput", "Runs/DeadLetters"} {
		args := []any{"E1", ""}
		if m == "Runs/DeadLetters" {
			args = []any{"out"}
		}
		code, body := call(t, h, m, "", args...)
		if code != http.StatusUnprocessableEntity || !strings.Contains(string(body), "no flow is running") {
			t.Errorf("%s: %d %s", m, code, body)
		}
	}
}
