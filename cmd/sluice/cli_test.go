package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/internal/testkit"
)

func sluice(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(sluiceBin, args...).CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestValidateListsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	p := writeFlow(t, dir, `version: 1
name: broken
nodes:
  - id: in
    kind: webhook
    config: {path: /in, colour: red}
  - id: out
    kind: http
    config: {url: "crm"}
    delivery:
      retry: {backoff: random}
  - id: cron
    kind: generate
    config: {schedule: "61 * * * *"}
edges:
  - {from: in, to: out}
  - {from: out, to: in}
  - {from: cron, to: ghost}
`)
	out, code := sluice(t, "validate", p)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		`line 6: node "in": config.colour: unknown field`,
		`line 9: node "out": config.url: "crm" is not an absolute URL`,
		`node "out": delivery.retry.backoff: must be one of exponential, linear, fixed, not random`,
		`node "cron": config.schedule: bad cron expression "61 * * * *"`,
		`node "in": edges[1].to: a source takes no input`,
		`node "out": edges[1].from: a destination has no output`,
		`edges[2].to: edge to node "ghost" does not exist`,
		`has no outgoing edge`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	js, code := sluice(t, "validate", "--json", p)
	var v struct {
		Problems []struct{ Node, Field, Message string }
	}
	if code != 1 || json.Unmarshal([]byte(js), &v) != nil || len(v.Problems) < 8 {
		t.Errorf("--json: exit %d\n%s", code, js)
	}
	// The design document's example validates with every real kind (the
	// alert target it names but does not define is a warning).
	if out, code := sluice(t, "validate", "../../engine/flow/testdata/design-example.yaml"); code != 0 || !strings.Contains(out, `warning: `) || !strings.Contains(out, "ok") {
		t.Errorf("design example: exit %d\n%s", code, out)
	}
	if out, code := sluice(t, "validate", "../../testdata/demo.yaml"); code != 0 {
		t.Errorf("demo flow: exit %d\n%s", code, out)
	}
	if out, code := sluice(t, "validate", filepath.Join(dir, "missing.yaml")); code != 1 || !strings.Contains(out, "no such file") {
		t.Errorf("missing file: exit %d\n%s", code, out)
	}
}

func TestKindsJSONCarriesSchemas(t *testing.T) {
	out, code := sluice(t, "kinds", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var v struct {
		Kinds []struct {
			Kind     string
			Category string
			Config   map[string]any
		}
		Delivery map[string]any
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, k := range v.Kinds {
		seen[k.Kind] = true
		if k.Config["type"] != "object" || k.Config["additionalProperties"] != false {
			t.Errorf("%s: schema %v", k.Kind, k.Config)
		}
	}
	for _, k := range []string{"webhook", "poll", "generate", "http", "file", "log"} {
		if !seen[k] {
			t.Errorf("kind %s missing", k)
		}
	}
	if v.Delivery["properties"] == nil {
		t.Error("no delivery schema")
	}
}

func TestDLQCommands(t *testing.T) {
	sink := testkit.NewSink(t)
	sink.SetStatus(func(r *http.Request, n int) int { return http.StatusBadRequest })
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	flowPath := writeFlow(t, dir, fmt.Sprintf(hookToHTTP, sink.URL, "10ms", "10ms"))
	r := startRunner(t, flowPath, data, freeAddr(t))
	var ids []string
	for i := range 3 {
		code, id, err := post("http://"+r.addr+"/in", "application/json", fmt.Sprintf(`{"i":%d}`, i))
		if err != nil || code != 202 {
			t.Fatal(code, err)
		}
		ids = append(ids, id)
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if n := len(sink.Requests()); n < 3 {
			return fmt.Errorf("%d requests", n)
		}
		return nil
	})
	time.Sleep(200 * time.Millisecond)
	// While the runner holds the data, dlq goes through its admin API.
	if out, code := sluice(t, "dlq", "list", flowPath, "--node", "out", "--data", data, "--admin", r.addr); code != 0 || !strings.Contains(out, "3 dead letter(s) at out") {
		t.Errorf("dlq on a running runner: exit %d\n%s", code, out)
	}
	if out, code := sluice(t, "dlq", "show", flowPath, "--node", "out", "--data", data, "--admin", r.addr, "--id", ids[2]); code != 0 || !strings.Contains(out, ids[2]) {
		t.Errorf("dlq show on a running runner: exit %d\n%s", code, out)
	}
	r.stop(syscall.SIGTERM)

	out, code := sluice(t, "dlq", "list", flowPath, "--node", "out", "--data", data)
	if code != 0 || !strings.Contains(out, "3 dead letter(s) at out") || !strings.Contains(out, ids[1]) || !strings.Contains(out, "400") {
		t.Errorf("dlq list: exit %d\n%s", code, out)
	}
	out, code = sluice(t, "dlq", "show", flowPath, "--node", "out", "--data", data, "--id", ids[0])
	var d struct {
		Event struct {
			ID   string
			Body json.RawMessage
		}
		Reason   string
		Attempts []struct{ Status int }
	}
	var body bytes.Buffer
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || json.Compact(&body, d.Event.Body) != nil || body.String() != `{"i":0}` ||
		d.Event.ID != ids[0] || len(d.Attempts) != 1 || d.Attempts[0].Status != 400 {
		t.Errorf("dlq show: exit %d\n%s", code, out)
	}
	out, code = sluice(t, "dlq", "purge", flowPath, "--node", "out", "--data", data, "--id", ids[0])
	if code != 0 || !strings.Contains(out, "purged 1") {
		t.Errorf("dlq purge: exit %d\n%s", code, out)
	}
	// Replay, then run against a healthy sink: the two left arrive.
	out, code = sluice(t, "dlq", "replay", flowPath, "--node", "out", "--data", data)
	if code != 0 || !strings.Contains(out, "replayed 2") {
		t.Errorf("dlq replay: exit %d\n%s", code, out)
	}
	if out, code := sluice(t, "dlq", "list", flowPath, "--node", "nope", "--data", data); code != 1 || !strings.Contains(out, `no node "nope"`) {
		t.Errorf("unknown node: exit %d\n%s", code, out)
	}
	sink.SetStatus(nil)
	startRunner(t, flowPath, data, freeAddr(t))
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		got := sink.Delivered()
		if got[ids[1]] != 1 || got[ids[2]] != 1 || got[ids[0]] != 0 {
			return fmt.Errorf("delivered %v", got)
		}
		return nil
	})
}

func TestVersionAndUsage(t *testing.T) {
	if out, code := sluice(t, "version"); code != 0 || !strings.HasPrefix(out, "sluice ") {
		t.Errorf("version: %d %q", code, out)
	}
	if out, code := sluice(t, "frobnicate"); code != 2 || !strings.Contains(out, "unknown command") {
		t.Errorf("unknown command: %d %q", code, out)
	}
	if out, code := sluice(t, "run"); code != 2 || !strings.Contains(out, "give exactly one flow file") {
		t.Errorf("run without flow: %d %q", code, out)
	}
}

func TestJSONLogsCarryEventIDs(t *testing.T) {
	sink := testkit.NewSink(t)
	sink.SetStatus(func(r *http.Request, n int) int {
		if n == 0 {
			return 503
		}
		return 200
	})
	dir := t.TempDir()
	flowPath := writeFlow(t, dir, fmt.Sprintf(hookToHTTP, sink.URL, "10ms", "10ms"))
	r := startRunner(t, flowPath, filepath.Join(dir, "data"), freeAddr(t), "--log-format", "json")
	_, id, _ := post("http://"+r.addr+"/in", "application/json", `{}`)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if sink.Delivered()[id] != 1 {
			return fmt.Errorf("not delivered")
		}
		return nil
	})
	r.stop(syscall.SIGTERM)
	found := false
	for _, line := range strings.Split(strings.TrimSpace(r.log()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if v["msg"] == "delivery failed" {
			found = v["event_id"] == id && v["flow"] == "e2e" && v["node"] == "out"
		}
	}
	if !found {
		t.Errorf("no 'delivery failed' line with event_id, flow and node:\n%s", r.log())
	}
}

func TestFlowLogLevel(t *testing.T) {
	sink := testkit.NewSink(t)
	dir := t.TempDir()
	flowPath := writeFlow(t, dir, "log_level: debug\n"+fmt.Sprintf(hookToHTTP, sink.URL, "10ms", "10ms"))
	r := startRunner(t, flowPath, filepath.Join(dir, "data"), freeAddr(t))
	_, id, _ := post("http://"+r.addr+"/in", "application/json", `{}`)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if !strings.Contains(r.log(), "msg=delivered") || !strings.Contains(r.log(), id) {
			return fmt.Errorf("no debug line for the delivery yet")
		}
		return nil
	})
}

// A transform's dead letters, replayed with `sluice dlq replay` after the
// code was fixed, run through the fixed code at the next start.
func TestDLQReplayThroughATransform(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	out := filepath.Join(dir, "out.jsonl")
	flowWith := func(code string) string {
		return fmt.Sprintf(`version: 1
name: pyreplay
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: py
    kind: python
    config:
      code: |
        def transform(event):
            return {"inverse": %s}
  - {id: keep, kind: file, config: {path: %q}}
edges: [{from: in, to: py}, {from: py, to: keep}]
`, code, out)
	}
	flowPath := writeFlow(t, dir, flowWith(`1 / event["n"]`))
	r := startRunner(t, flowPath, data, freeAddr(t))
	for _, n := range []int{2, 0} {
		if code, _, err := post("http://"+r.addr+"/in", "application/json", fmt.Sprintf(`{"n":%d}`, n)); err != nil || code != 202 {
			t.Fatal(code, err)
		}
	}
	lines := func() int {
		b, _ := os.ReadFile(out)
		return strings.Count(string(b), "\n")
	}
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if lines() != 1 {
			return fmt.Errorf("%d lines", lines())
		}
		return nil
	})
	r.stop(syscall.SIGTERM)
	if o, code := sluice(t, "dlq", "list", flowPath, "--node", "py", "--data", data); code != 0 || !strings.Contains(o, "ZeroDivisionError") {
		t.Fatalf("dlq list: exit %d\n%s", code, o)
	}
	if o, code := sluice(t, "dlq", "replay", flowPath, "--node", "in", "--data", data); code != 1 || !strings.Contains(o, "destination or a transform") {
		t.Errorf("replay at a source: exit %d\n%s", code, o)
	}
	flowPath = writeFlow(t, dir, flowWith(`0 if event["n"] == 0 else 1 / event["n"]`))
	if o, code := sluice(t, "dlq", "replay", flowPath, "--node", "py", "--data", data); code != 0 || !strings.Contains(o, "replayed 1 dead letter(s) into the inbox") {
		t.Fatalf("dlq replay: exit %d\n%s", code, o)
	}
	startRunner(t, flowPath, data, freeAddr(t))
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if lines() != 2 {
			return fmt.Errorf("%d lines", lines())
		}
		return nil
	})
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), `{"inverse":0}`) {
		t.Errorf("output after the replay:\n%s", b)
	}
}
