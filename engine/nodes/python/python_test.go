package python

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/pyrt"
)

func TestMain(m *testing.M) {
	pyrt.MaybeRunWorker()
	os.Exit(m.Run())
}

func newNode(t testing.TB, code string, extra map[string]any) component.Transform {
	t.Helper()
	cfg := map[string]any{"code": code}
	for k, v := range extra {
		cfg[k] = v
	}
	if ps := Spec.CheckConfig(cfg); len(ps) > 0 {
		t.Fatalf("config problems: %v", ps)
	}
	tr, err := Spec.NewTransform(component.Params{NodeID: "py", Config: Spec.Config.ApplyDefaults(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func ev(body string) *event.Event {
	return &event.Event{ID: "01J0000000000000000000000A", Source: "hook", ReceivedAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		Meta: event.Meta{Headers: map[string]string{"X-Key": "k1"}}, Body: json.RawMessage(body)}
}

func TestApplyContract(t *testing.T) {
	code := `
def transform(event, meta):
    kind = event.get("kind")
    if kind == "drop":
        return None
    if kind == "fan":
        return [{"i": i, "id": meta["id"]} for i in range(event["n"])]
    if kind == "bad":
        return 42
    if kind == "raise":
        raise ValueError("no good: " + str(event.get("why")))
    event["source"] = meta["source"]
    event["key"] = meta["headers"]["X-Key"]
    event["at"] = meta["received_at"]
    return event
`
	tr := newNode(t, code, nil)
	res, err := tr.Apply(context.Background(), []*event.Event{
		ev(`{"kind":"keep","z":1,"a":2}`), ev(`{"kind":"drop"}`), ev(`{"kind":"fan","n":3}`),
		ev(`{"kind":"bad"}`), ev(`{"kind":"raise","why":null}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		t.Logf("event %d: %v", i, r.Err)
	}
	if len(res[0].Outputs) != 1 {
		t.Fatalf("keep: %+v", res[0])
	}
	if got := string(res[0].Outputs[0].Body); got != `{"kind":"keep","z":1,"a":2,"source":"hook","key":"k1","at":"2024-05-01T12:00:00.000000Z"}` {
		t.Errorf("keep: %s", got)
	}
	if len(res[1].Outputs) != 0 || res[1].Err != nil {
		t.Errorf("drop: %+v", res[1])
	}
	if len(res[2].Outputs) != 3 || string(res[2].Outputs[2].Body) != `{"i":2,"id":"01J0000000000000000000000A"}` {
		t.Errorf("fan: %+v", res[2])
	}
	if res[3].Err == nil || !strings.Contains(res[3].Err.Error(), "returned an int") {
		t.Errorf("bad: %v", res[3].Err)
	}
	var perr *pyrt.Error
	if !errors.As(res[4].Err, &perr) || perr.Line != 11 || !strings.Contains(res[4].Err.Error(), `raise ValueError("no good: " + str(event.get("why")))`) ||
		!strings.Contains(res[4].Err.Error(), "line 11") || perr.Message != "no good: None" {
		t.Errorf("raise: %#v", res[4].Err)
	}
}

func TestCheckReportsSyntaxErrorLine(t *testing.T) {
	ps := Spec.CheckConfig(map[string]any{"code": "def transform(event):\n    return {'a': 1\n\nx = (\n"})
	if len(ps) != 1 || ps[0].Field != "code" || !strings.Contains(ps[0].Message, "line ") {
		t.Fatalf("problems: %v", ps)
	}
	t.Log(ps[0].Message)
	if ps := Spec.CheckConfig(map[string]any{"code": "def transform(event):\n    return event\n"}); len(ps) != 0 {
		t.Fatalf("good code: %v", ps)
	}
}

func TestTopLevelErrorFailsEveryEvent(t *testing.T) {
	tr := newNode(t, "import nosuchmodule\ndef transform(e):\n    return e\n", nil)
	res, err := tr.Apply(context.Background(), []*event.Event{ev(`{}`), ev(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err == nil || !strings.Contains(r.Err.Error(), "No module named 'nosuchmodule'") {
			t.Errorf("event %d: %v", i, r.Err)
		}
	}
}

func TestRoutedOutputs(t *testing.T) {
	tr := newNode(t, `
def transform(event):
    if event["ok"]:
        return [event, ("audit", {"id": event["id"]})]
    return ("errors", event)
`, nil)
	res, err := tr.Apply(context.Background(), []*event.Event{ev(`{"id":1,"ok":true}`), ev(`{"id":2,"ok":false}`)})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Err != nil || len(r.Outputs) != 2 || r.Outputs[0].Route != "" || r.Outputs[1].Route != "audit" || string(r.Outputs[1].Body) != `{"id":1}` {
		t.Errorf("event 0: %+v", r)
	}
	if r := res[1]; r.Err != nil || len(r.Outputs) != 1 || r.Outputs[0].Route != "errors" {
		t.Errorf("event 1: %+v", r)
	}
}
