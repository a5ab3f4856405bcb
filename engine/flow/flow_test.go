package flow_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/flow"
	"github.com/sluice-etl/sluice/engine/nodes/generate"
	"github.com/sluice-etl/sluice/engine/nodes/http"
	logdest "github.com/sluice-etl/sluice/engine/nodes/log"
	"github.com/sluice-etl/sluice/engine/nodes/webhook"
)

// passthrough stands in for the python kind in this package's registry, so
// the validator is tested without the interpreter; the real example is
// validated with every kind by the sluice CLI tests.
type passthrough struct{}

func (passthrough) Apply(_ context.Context, evs []*event.Event) ([]component.Result, error) {
	out := make([]component.Result, len(evs))
	for i, e := range evs {
		out[i].Outputs = []component.Output{{Body: e.Body}}
	}
	return out, nil
}
func (passthrough) Close() error { return nil }

func registry(t *testing.T) *component.Registry {
	r := component.NewRegistry()
	for _, s := range []component.Spec{webhook.Spec, http.Spec, logdest.Spec, generate.Spec} {
		if err := r.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	r.MustRegister(component.Spec{Kind: "python", Category: component.CategoryTransform, Title: "t", Summary: "s",
		Config: component.Object(
			component.Field{Name: "code", Required: true, Schema: &component.Schema{Type: "string"}},
		),
		NewTransform: func(component.Params) (component.Transform, error) { return passthrough{}, nil }})
	return r
}

func TestDesignExampleValidates(t *testing.T) {
	doc, err := flow.Load("testdata/design-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ps := flow.Validate(doc, registry(t))
	if errs := flow.Errors(ps); len(errs) > 0 {
		t.Fatalf("design example has problems: %v", errs)
	}
	// ops_hook is named as alert target but is not in the example.
	if len(ps) != 1 || !ps[0].Warning || !strings.Contains(ps[0].Message, "ops_hook") {
		t.Errorf("want one warning about ops_hook, got %v", ps)
	}
	if doc.Node("crm").Delivery["rate"].(map[string]any)["per_second"] != 50 {
		t.Errorf("delivery not decoded: %v", doc.Node("crm").Delivery)
	}
}

func TestSecretsStayReferences(t *testing.T) {
	os.Setenv("ORDERS_HMAC", "s3cret")
	defer os.Unsetenv("ORDERS_HMAC")
	doc, err := flow.Load("testdata/design-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := doc.EncodeYAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret") || !strings.Contains(string(out), "${env:ORDERS_HMAC}") {
		t.Errorf("encoded flow must keep the reference:\n%s", out)
	}
	back, err := flow.Decode(out, "re-encoded")
	if err != nil {
		t.Fatal(err)
	}
	if ps := flow.Errors(flow.Validate(back, registry(t))); len(ps) > 0 {
		t.Errorf("re-encoded flow has problems: %v", ps)
	}
}

type want struct{ node, field, msg string }

func TestValidateReportsEveryProblem(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want []want
	}{
		{"unknown kind and duplicate id", `
version: 1
name: x
nodes:
  - {id: a, kind: webhook, config: {path: /a}}
  - {id: a, kind: log}
  - {id: b, kind: kafka}
edges: [{from: a, to: b}]`, []want{{"a", "id", "duplicate node id"}, {"b", "kind", `unknown kind "kafka"`}}},
		{"edges to missing nodes, into a source, out of a destination", `
version: 1
name: x
nodes:
  - {id: src, kind: webhook, config: {path: /a}}
  - {id: dst, kind: log}
  - {id: src2, kind: webhook, config: {path: /b}}
edges:
  - {from: src, to: ghost}
  - {from: src, to: dst}
  - {from: dst, to: src2}
  - {from: src2, to: dst}`, []want{
			{"", "edges[0].to", `edge to node "ghost" does not exist`},
			{"src2", "edges[2].to", "a source takes no input"},
			{"dst", "edges[2].from", "a destination has no output"}}},
		{"cycle and unreachable", `
version: 1
name: x
nodes:
  - {id: src, kind: webhook, config: {path: /a}}
  - {id: t1, kind: python, config: {code: "x"}}
  - {id: t2, kind: python, config: {code: "x"}}
  - {id: out, kind: log}
  - {id: lonely, kind: log}
edges:
  - {from: src, to: out}
  - {from: t1, to: t2}
  - {from: t2, to: t1}
  - {from: t2, to: out}`, []want{
			{"t1", "edges", "edges form a cycle: t1 -> t2 -> t1"},
			{"t1", "", "not reachable from any source"},
			{"lonely", "", "not reachable from any source"}}},
		{"config against the schema", `
version: 1
name: x
nodes:
  - {id: src, kind: webhook, config: {max_body_bytes: "big", colour: red}}
  - {id: out, kind: http, config: {url: "not a url", timeout: 5, method: GET}}
edges: [{from: src, to: out}]`, []want{
			{"src", "config.path", "is required"},
			{"src", "config.colour", "unknown field"},
			{"src", "config.max_body_bytes", "must be a number"},
			{"out", "config.method", "must be one of POST, PUT"},
			{"out", "config.timeout", "must be a string"},
			{"out", "config.url", "not an absolute URL"}}},
		{"delivery and cron", `
version: 1
name: x
nodes:
  - {id: gen, kind: generate, config: {schedule: "every now and then"}}
  - id: out
    kind: http
    config: {url: "http://127.0.0.1:1/x"}
    delivery:
      retry: {backoff: random, initial: 10s, max: 1s}
      maintenance: [{cron: "99 * * * *", duration: 1h}]
      speed: 11
edges: [{from: gen, to: out}]`, []want{
			{"gen", "config.schedule", "bad cron expression"},
			{"out", "delivery.maintenance[0].cron", "bad cron expression"},
			{"out", "delivery.retry.backoff", "must be one of exponential, linear, fixed"},
			{"out", "delivery.speed", "unknown field"}}},
		{"document level", `
version: 2
name: "bad name!"
log_level: loud
nodes: []
edges: []
layout: {ghost: {x: 1, y: 2}}`, []want{
			{"", "log_level", "log_level must be debug, info, warn or error"},
			{"", "version", "version must be 1"},
			{"", "name", "may use only"},
			{"", "nodes", "no nodes"},
			{"", "layout.ghost", "does not exist"}}},
		{"bad secret reference", `
version: 1
name: x
nodes:
  - {id: src, kind: webhook, config: {path: /a, secret: "${vault:x}"}}
  - {id: out, kind: log}
edges: [{from: src, to: out}]`, []want{{"src", "config.secret", "unknown secret reference"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := flow.Decode([]byte(c.doc), "test.yaml")
			if err != nil {
				t.Fatal(err)
			}
			ps := flow.Validate(doc, registry(t))
			for _, w := range c.want {
				found := false
				for _, p := range ps {
					if p.Node == w.node && p.Field == w.field && strings.Contains(p.Message, w.msg) {
						found = true
						if p.Line == 0 && w.node != "" {
							t.Errorf("problem %v has no line", p)
						}
					}
				}
				if !found {
					t.Errorf("missing problem {%s %s %q}; got:\n%s", w.node, w.field, w.msg, list(ps))
				}
			}
		})
	}
}

func list(ps []flow.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + " [" + p.Field + "]\n")
	}
	return b.String()
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]string{
		"":                               "empty",
		"version: 1\nnodes: [\n":         "test.yaml: ",
		"version: 1\nname: x\nnodez: []": "field nodez not found",
		"- a\n- b":                       "cannot unmarshal",
		"version: 1\nnodes:\n  - {id: a, kind: log, colour: red}": "field colour not found",
	}
	for in, want := range cases {
		_, err := flow.Decode([]byte(in), "test.yaml")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestJSONFlowsDecode(t *testing.T) {
	doc, err := flow.Decode([]byte(`{"version":1,"name":"j","nodes":[{"id":"a","kind":"webhook","config":{"path":"/a","max_body_bytes":10}},{"id":"b","kind":"log"}],"edges":[{"from":"a","to":"b"}]}`), "j.json")
	if err != nil {
		t.Fatal(err)
	}
	if ps := flow.Validate(doc, registry(t)); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
}

func FuzzDecode(f *testing.F) {
	seed, _ := os.ReadFile("testdata/design-example.yaml")
	f.Add(seed)
	f.Add([]byte(`{"version":1,"name":"j","nodes":[{"id":"a","kind":"webhook"}],"edges":[{"from":"a","to":"a"}]}`))
	f.Add([]byte("version: 1\nnodes: [{id: a, kind: log, config: {x: [1, {y: 2}]}}]\nedges: [{from: a}]"))
	reg := component.NewRegistry()
	for _, s := range []component.Spec{webhook.Spec, http.Spec, logdest.Spec, generate.Spec} {
		reg.MustRegister(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := flow.Decode(data, "fuzz.yaml")
		if err != nil {
			return
		}
		// Whatever decodes must validate without panicking, and every
		// problem must say something.
		for _, p := range flow.Validate(doc, reg) {
			if p.Message == "" {
				t.Fatalf("empty problem message: %+v", p)
			}
		}
		if _, err := doc.EncodeYAML(); err != nil {
			t.Fatalf("encode decoded doc: %v", err)
		}
	})
}
