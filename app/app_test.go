package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sluice-etl/sluice/app"
	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/flow"
	_ "github.com/sluice-etl/sluice/engine/nodes/all"
	"github.com/sluice-etl/sluice/engine/pyrt"
)

func TestMain(m *testing.M) {
	pyrt.MaybeRunWorker() // python transforms run in worker processes of this binary
	os.Exit(m.Run())
}

func newApp(t *testing.T, reg *component.Registry) *app.App {
	t.Helper()
	if reg == nil {
		reg = component.Default
	}
	a := app.New(app.Options{Registry: reg, DataDir: t.TempDir(), ConfigDir: t.TempDir(), Listen: "127.0.0.1:0"})
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	return a
}

// call posts one API call the way the frontend's api module does.
func call(t *testing.T, h http.Handler, method string, token string, args ...any) (int, []byte) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	body, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:7878/api/"+method, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Sluice-Token", token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func TestCatalogOverHTTP(t *testing.T) {
	h := app.NewHTTPHandler(newApp(t, nil), "", nil)
	code, body := call(t, h, "Kinds/Catalog", "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	var cat struct {
		Kinds []struct {
			Kind     string          `json:"kind"`
			Category string          `json:"category"`
			Config   json.RawMessage `json:"config"`
		} `json:"kinds"`
		Delivery map[string]any `json:"delivery"`
	}
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, k := range cat.Kinds {
		kinds[k.Kind] = k.Category
		if !bytes.Contains(k.Config, []byte(`"x-order"`)) && !bytes.Contains(k.Config, []byte(`"properties":{}`)) && bytes.Contains(k.Config, []byte(`"properties"`)) {
			t.Errorf("%s: schema without x-order: %s", k.Kind, k.Config)
		}
	}
	for kind, cat := range map[string]string{"webhook": "source", "http": "destination"} {
		if kinds[kind] != cat {
			t.Errorf("kind %s: category %q, want %q", kind, kinds[kind], cat)
		}
	}
	if cat.Delivery["type"] != "object" {
		t.Errorf("delivery schema missing: %v", cat.Delivery)
	}
}

func TestFlowsSaveOpenValidateExport(t *testing.T) {
	a := newApp(t, nil)
	doc, err := a.Flows.New("orders to crm!")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Name != "orders-to-crm" {
		t.Errorf("name %q", doc.Name)
	}
	doc.Nodes = []flow.Node{
		{ID: "orders", Kind: "webhook", Config: map[string]any{"path": "/hooks/orders"}},
		{ID: "crm", Kind: "http", Config: map[string]any{"url": "http://127.0.0.1:9/x", "headers": map[string]any{"Authorization": "Bearer abc"}}},
	}
	doc.Edges = []flow.Edge{{From: "orders", To: "crm"}}
	doc.Layout = map[string]flow.Position{"orders": {X: 80, Y: 120}}

	ps, err := a.Flows.Validate(doc)
	if err != nil || len(ps) != 0 {
		t.Fatalf("problems %v, err %v", ps, err)
	}
	path := filepath.Join(t.TempDir(), "sub", "orders")
	saved, err := a.Flows.Save(path, doc)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Path != path+".yaml" {
		t.Errorf("saved to %s", saved.Path)
	}
	opened, err := a.Flows.Open(saved.Path)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Doc.Name != doc.Name || len(opened.Doc.Nodes) != 2 || opened.Doc.Layout["orders"].Y != 120 {
		t.Errorf("reopened %+v", opened.Doc)
	}
	recent, _ := a.Flows.Recent()
	if len(recent) != 1 || recent[0] != saved.Path {
		t.Errorf("recent %v", recent)
	}

	ex, err := a.Flows.Export(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ex.YAML, "path: /hooks/orders") || ex.Command != "sluice run orders-to-crm.yaml" {
		t.Errorf("export %+v", ex)
	}

	doc.Nodes[1].Config = map[string]any{}
	ps, _ = a.Flows.Validate(doc)
	if len(ps) != 1 || ps[0].Node != "crm" || ps[0].Field != "config.url" {
		t.Errorf("problems %+v", ps)
	}
}

func TestOpenReportsParseErrorsWithLine(t *testing.T) {
	a := newApp(t, nil)
	p := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(p, []byte("version: 1\nname: x\nnodes: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := a.Flows.Open(p)
	if err == nil || !strings.Contains(err.Error(), "line") {
		t.Fatalf("want a parse error naming the line, got %v", err)
	}
	h := app.NewHTTPHandler(a, "", nil)
	code, body := call(t, h, "Flows/Open", "", p)
	if code != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte(`"error"`)) {
		t.Errorf("status %d: %s", code, body)
	}
}

func TestHTTPGuards(t *testing.T) {
	a := newApp(t, nil)
	h := app.NewHTTPHandler(a, "s3cret", nil)
	if code, _ := call(t, h, "Kinds/Catalog", ""); code != http.StatusUnauthorized {
		t.Errorf("without token: %d", code)
	}
	if code, _ := call(t, h, "Kinds/Catalog", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", code)
	}
	if code, _ := call(t, h, "Kinds/Catalog", "s3cret"); code != http.StatusOK {
		t.Errorf("with token: %d", code)
	}

	open := app.NewHTTPHandler(a, "", nil)
	req := httptest.NewRequest(http.MethodPost, "http://rebound.example:7878/api/Kinds/Catalog", strings.NewReader("[]"))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	open.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("foreign Host without token: %d", rec.Code)
	}
	req = httptest.NewRequest(http.MethodPost, "http://127.0.0.1:7878/api/Kinds/Catalog", strings.NewReader("[]"))
	req.Header.Set("Content-Type", "text/plain")
	rec = httptest.NewRecorder()
	open.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d", rec.Code)
	}
	if code, _ := call(t, open, "Kinds/Nope", ""); code != http.StatusNotFound {
		t.Errorf("unknown method: %d", code)
	}
	if code, _ := call(t, open, "Flows/Save", "", 1, 2); code != http.StatusBadRequest {
		t.Errorf("bad argument: %d", code)
	}
}

func TestStaticFallsBackToIndex(t *testing.T) {
	static := fstest.MapFS{"index.html": {Data: []byte("<h1>designer</h1>")}, "assets/a.js": {Data: []byte("x")}}
	h := app.NewHTTPHandler(newApp(t, nil), "tok", static)
	for path, want := range map[string]string{"/": "designer", "/some/route": "designer", "/assets/a.js": "x"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://0.0.0.0:1"+path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d %q", path, rec.Code, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	app.NewHTTPHandler(newApp(t, nil), "", fstest.MapFS{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !strings.Contains(rec.Body.String(), "not built") {
		t.Errorf("unbuilt frontend: %q", rec.Body.String())
	}
}

// upper is a test transform: it upper-cases "name", drops events without
// one and fails on "boom", the way a Python node reports an error line.
type upper struct{}

func (upper) Apply(_ context.Context, evs []*event.Event) ([]component.Result, error) {
	out := make([]component.Result, len(evs))
	for i, ev := range evs {
		var m map[string]any
		_ = json.Unmarshal(ev.Body, &m)
		name, _ := m["name"].(string)
		switch {
		case name == "boom":
			out[i].Err = errors.New(`line 3: ValueError: boom`)
		case name == "":
			out[i].Logs = []string{"dropped"}
		default:
			m["name"] = strings.ToUpper(name)
			b, _ := json.Marshal(m)
			out[i].Outputs = []component.Output{{Body: b}}
		}
	}
	return out, nil
}
func (upper) Close() error { return nil }

func TestTesterRunsTransform(t *testing.T) {
	reg := component.NewRegistry()
	reg.MustRegister(component.Spec{
		Kind: "upper", Category: component.CategoryTransform, Title: "Upper",
		Config: component.Object(component.Field{Name: "fail", Schema: &component.Schema{Type: "boolean"}}),
		NewTransform: func(p component.Params) (component.Transform, error) {
			if p.Config["fail"] == true {
				return nil, errors.New("compile: line 2, column 5: invalid syntax")
			}
			return upper{}, nil
		},
	})
	a := newApp(t, reg)
	res, err := a.Tester.Run(app.TestRequest{Kind: "upper", Events: []json.RawMessage{
		json.RawMessage(`{"name":"ann"}`), json.RawMessage(`{}`), json.RawMessage(`{"name":"boom"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 3 {
		t.Fatalf("results %+v", res.Results)
	}
	if r := res.Results[0]; len(r.Outputs) != 1 || string(r.Outputs[0]) != `{"name":"ANN"}` || r.Dropped {
		t.Errorf("event 1: %+v", r)
	}
	if r := res.Results[1]; !r.Dropped || len(r.Logs) != 1 {
		t.Errorf("event 2: %+v", r)
	}
	if r := res.Results[2]; r.Error == nil || r.Error.Line != 3 {
		t.Errorf("event 3: %+v", r)
	}
	res, err = a.Tester.Run(app.TestRequest{Kind: "upper", Config: map[string]any{"fail": true}, Events: []json.RawMessage{json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.BuildError == nil || res.BuildError.Line != 2 || res.BuildError.Col != 5 {
		t.Errorf("build error %+v", res.BuildError)
	}
	if _, err := a.Tester.Run(app.TestRequest{Kind: "upper", Events: []json.RawMessage{json.RawMessage(`{`)}}); err == nil {
		t.Error("invalid JSON sample accepted")
	}
}

func TestRunDeliversAndCounts(t *testing.T) {
	var mu sync.Mutex
	var got []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
	}))
	defer sink.Close()

	a := newApp(t, nil)
	doc := &flow.Doc{Version: 1, Name: "run-test", Nodes: []flow.Node{
		{ID: "in", Kind: "webhook", Config: map[string]any{"path": "/hooks/in"}},
		{ID: "out", Kind: "http", Config: map[string]any{"url": sink.URL}},
	}, Edges: []flow.Edge{{From: "in", To: "out"}}}
	st, err := a.Runs.Start(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Endpoints) != 1 || st.Endpoints[0].URL != "http://"+st.Addr+"/hooks/in" {
		t.Fatalf("endpoints %+v", st.Endpoints)
	}
	resp, err := http.Post(st.Endpoints[0].URL, "application/json", strings.NewReader(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("webhook answered %d", resp.StatusCode)
	}
	checkFor(t, 10*time.Second, func() error {
		s, _ := a.Runs.Stats()
		for _, n := range s.Stats.Nodes {
			if n.ID == "out" && n.Delivered == 1 {
				return nil
			}
		}
		return fmt.Errorf("not delivered yet: %+v", s.Stats.Nodes)
	})
	mu.Lock()
	if len(got) != 1 || got[0] != `{"n":1}` {
		t.Errorf("sink got %q", got)
	}
	mu.Unlock()
	last, err := a.Runs.LastEvents("in", 5)
	if err != nil || len(last) != 1 || string(last[0]) != `{"n":1}` {
		t.Errorf("last events %s, %v", last, err)
	}
	if _, err := a.Runs.Stop(); err != nil {
		t.Fatal(err)
	}
	if s, _ := a.Runs.Status(); s.Running {
		t.Error("still running after Stop")
	}
	// A second start reopens the same data directory.
	if _, err := a.Runs.Start(doc); err != nil {
		t.Fatalf("restart: %v", err)
	}

	doc.Nodes[1].Config = map[string]any{}
	if _, err := a.Runs.Start(doc); err == nil || !strings.Contains(err.Error(), "config.url") {
		t.Errorf("invalid flow started: %v", err)
	}
}

func checkFor(t *testing.T, timeout time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTesterRunsPython(t *testing.T) {
	a := newApp(t, nil)
	code := "def transform(event):\n    if event[\"amount\"] < 0:\n        return None\n    print(\"ok\", event[\"amount\"])\n    return {\"cents\": event[\"amount\"] * 100}\n"
	res, err := a.Tester.Run(app.TestRequest{Kind: "python", Config: map[string]any{"code": code}, Events: []json.RawMessage{
		json.RawMessage(`{"amount": 2}`), json.RawMessage(`{"amount": -1}`), json.RawMessage(`{}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.BuildError != nil || len(res.Results) != 3 {
		t.Fatalf("result %+v", res)
	}
	if r := res.Results[0]; len(r.Outputs) != 1 || string(r.Outputs[0]) != `{"cents":200}` || len(r.Logs) != 1 {
		t.Errorf("event 1: %+v %s", r, r.Outputs)
	}
	if !res.Results[1].Dropped {
		t.Errorf("event 2 not dropped: %+v", res.Results[1])
	}
	if r := res.Results[2]; r.Error == nil || r.Error.Line != 2 {
		t.Errorf("event 3: want an error on line 2, got %+v", r.Error)
	}

	res, err = a.Tester.Run(app.TestRequest{Kind: "python", Config: map[string]any{"code": "def transform(event):\n    return event +\n"}, Events: []json.RawMessage{json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.BuildError == nil || res.BuildError.Line != 2 {
		t.Errorf("want a build error on line 2, got %+v", res.BuildError)
	}
}

func TestRunReportsPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a := app.New(app.Options{DataDir: t.TempDir(), ConfigDir: t.TempDir(), Listen: ln.Addr().String()})
	doc := &flow.Doc{Version: 1, Name: "busy", Nodes: []flow.Node{
		{ID: "in", Kind: "webhook", Config: map[string]any{"path": "/in"}},
		{ID: "out", Kind: "log"},
	}, Edges: []flow.Edge{{From: "in", To: "out"}}}
	_, err = a.Runs.Start(doc)
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("want a clear port-in-use error, got %v", err)
	}
	if s, _ := a.Runs.Status(); s.Running {
		t.Error("running after a failed start")
	}
}

func TestQueueControls(t *testing.T) {
	var mu sync.Mutex
	status := http.StatusBadRequest
	delivered := 0
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if status == http.StatusOK {
			delivered++
		}
		w.WriteHeader(status)
	}))
	defer sink.Close()

	a := newApp(t, nil)
	doc := &flow.Doc{Version: 1, Name: "queue-test", Nodes: []flow.Node{
		{ID: "in", Kind: "webhook", Config: map[string]any{"path": "/in"}},
		{ID: "out", Kind: "http", Config: map[string]any{"url": sink.URL}},
	}, Edges: []flow.Edge{{From: "in", To: "out"}}}
	st, err := a.Runs.Start(doc)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(st.Endpoints[0].URL, "application/json", strings.NewReader(`{"n":7}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	checkFor(t, 10*time.Second, func() error {
		q, err := a.Runs.Queue("out")
		if err != nil {
			return err
		}
		if len(q.Dead) != 1 || string(q.Dead[0].Body) != `{"n":7}` || q.Dead[0].Reason == "" {
			return fmt.Errorf("dead letters %+v", q.Dead)
		}
		return nil
	})

	q, err := a.Runs.Pause("out")
	if err != nil || q.State != "paused" {
		t.Fatalf("pause: %+v, %v", q, err)
	}
	if q, err = a.Runs.Resume("out"); err != nil || q.State == "paused" {
		t.Fatalf("resume: %+v, %v", q, err)
	}

	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	if _, err := a.Runs.ReplayDead("out"); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if delivered != 1 {
			return fmt.Errorf("delivered %d after replay", delivered)
		}
		return nil
	})
	if q, _ := a.Runs.Queue("out"); len(q.Dead) != 0 {
		t.Errorf("dead letters left after replay: %+v", q.Dead)
	}
	if _, err := a.Runs.Queue("in"); err == nil {
		t.Error("a source has no queue")
	}
}

func TestEventsAndTrace(t *testing.T) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer sink.Close()
	a := newApp(t, nil)
	doc := &flow.Doc{Version: 1, Name: "trace-test", Nodes: []flow.Node{
		{ID: "in", Kind: "webhook", Config: map[string]any{"path": "/in"}},
		{ID: "up", Kind: "python", Config: map[string]any{"code": "def transform(event):\n    print('seen')\n    event['n'] += 1\n    return event\n"}},
		{ID: "out", Kind: "http", Config: map[string]any{"url": sink.URL}},
	}, Edges: []flow.Edge{{From: "in", To: "up"}, {From: "up", To: "out"}}}
	st, err := a.Runs.Start(doc)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(st.Endpoints[0].URL, "application/json", strings.NewReader(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var id string
	checkFor(t, 10*time.Second, func() error {
		evs, err := a.Runs.Events("", "", 10)
		if err != nil {
			return err
		}
		if len(evs) != 1 || evs[0].LastStatus != "delivered" {
			return fmt.Errorf("events %+v", evs)
		}
		id = evs[0].Root
		return nil
	})
	steps, err := a.Runs.Trace(id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range steps {
		kinds = append(kinds, string(s.Kind)+"@"+s.Node)
	}
	got := strings.Join(kinds, " ")
	for _, want := range []string{"received@in", "transformed@up", "attempted@out"} {
		if !strings.Contains(got, want) {
			t.Errorf("trace %q lacks %s", got, want)
		}
	}
	if evs, _ := a.Runs.Events("out", "dead", 10); len(evs) != 0 {
		t.Errorf("dead events %+v", evs)
	}
}
