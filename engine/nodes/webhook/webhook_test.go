package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/flow"
	_ "github.com/sluice-etl/sluice/engine/nodes/http"
	"github.com/sluice-etl/sluice/engine/nodes/webhook"
	"github.com/sluice-etl/sluice/engine/runtime"
	"github.com/sluice-etl/sluice/internal/testkit"
)

// start runs a real flow (webhook -> http sink) on a real Badger.
func start(t *testing.T, hookCfg string) (*runtime.Runtime, *testkit.Sink) {
	t.Helper()
	sink := testkit.NewSink(t)
	doc, err := flow.Decode([]byte(fmt.Sprintf(`
version: 1
name: hooktest
nodes:
  - {id: in, kind: webhook, config: %s}
  - {id: out, kind: http, config: {url: "%s"}}
edges: [{from: in, to: out}]
`, hookCfg, sink.URL)), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOOK_SECRET", "It's a Secret to Everybody")
	t.Setenv("HOOK_TOKEN", "tok-123")
	rt, err := runtime.New(doc, component.Default, runtime.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Stop(context.Background()) })
	return rt, sink
}

func do(t *testing.T, method, url, ctype, body string, hdr ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("response is not JSON: %q", b)
	}
	return resp.StatusCode, v
}

func stats(rt *runtime.Runtime, id string) runtime.NodeStats {
	for _, n := range rt.Stats().Nodes {
		if n.ID == id {
			return n
		}
	}
	return runtime.NodeStats{}
}

func TestBadInputIsRefusedAndNothingStored(t *testing.T) {
	rt, sink := start(t, `{path: /in, max_body_bytes: 64, token: "${env:HOOK_TOKEN}"}`)
	url := "http://" + rt.Addr() + "/in"
	auth := []string{"Authorization", "Bearer tok-123"}
	cases := []struct {
		name, method, ctype, body string
		hdr                       []string
		status                    int
		msg                       string
	}{
		{"malformed JSON", "POST", "application/json", `{"a": }`, auth, 400, "malformed JSON at line 1, column 7"},
		{"empty body", "POST", "application/json", ``, auth, 400, "empty body"},
		{"wrong content type", "POST", "image/png", `xx`, auth, 415, "unsupported content type"},
		{"too large", "POST", "application/json", `{"pad":"` + strings.Repeat("x", 100) + `"}`, auth, 413, "larger than the limit of 64 bytes"},
		{"malformed XML", "POST", "application/xml", `<a><b></a>`, auth, 400, "malformed XML"},
		{"bad NDJSON line", "POST", "application/x-ndjson", "{\"a\":1}\n{oops\n", auth, 400, "malformed JSON on line 2"},
		{"no token", "POST", "application/json", `{"a":1}`, nil, 401, "bearer token"},
		{"wrong token", "POST", "application/json", `{"a":1}`, []string{"Authorization", "Bearer nope"}, 401, "bearer token"},
		{"wrong method", "PATCH", "application/json", `{"a":1}`, auth, 405, "not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := do(t, c.method, url, c.ctype, c.body, c.hdr...)
			if code != c.status || !strings.Contains(fmt.Sprint(body["error"]), c.msg) {
				t.Errorf("got %d %v, want %d with %q", code, body, c.status, c.msg)
			}
			if body["node"] != "in" {
				t.Errorf("error does not name the node: %v", body)
			}
		})
	}
	if n := stats(rt, "in").Received; n != 0 {
		t.Errorf("%d events stored from bad requests", n)
	}
	if q := rt.Store().QueueDepth("out"); q != 0 {
		t.Errorf("queue holds %d events from bad requests", q)
	}
	if len(sink.Requests()) != 0 {
		t.Errorf("sink got %d requests", len(sink.Requests()))
	}
	// And a good request still works.
	code, body := do(t, "POST", url, "application/json", `{"a":1}`, auth...)
	if code != 202 || body["id"] == nil {
		t.Fatalf("good request: %d %v", code, body)
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if len(sink.Delivered()) != 1 {
			return fmt.Errorf("not delivered")
		}
		return nil
	})
}

func TestGitHubSignature(t *testing.T) {
	rt, sink := start(t, `{path: /gh, secret: "${env:HOOK_SECRET}"}`)
	url := "http://" + rt.Addr() + "/gh"
	// The example of GitHub's documentation on validating webhook
	// deliveries: this secret and payload give this signature.
	const payload = "Hello, World!"
	const sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	mac := hmac.New(sha256.New, []byte("It's a Secret to Everybody"))
	mac.Write([]byte(payload))
	if got := "sha256=" + hex.EncodeToString(mac.Sum(nil)); got != sig {
		t.Fatalf("test vector: %s", got)
	}
	code, body := do(t, "POST", url, "text/plain", payload, "X-Hub-Signature-256", sig, "X-GitHub-Event", "push")
	if code != 202 {
		t.Fatalf("signed request: %d %v", code, body)
	}
	for _, bad := range [][]string{
		{"X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18"},
		{"X-Hub-Signature-256", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
		{"X-Hub-Signature-256", "sha256=zz"},
		{},
	} {
		code, body := do(t, "POST", url, "text/plain", payload, bad...)
		if code != 401 {
			t.Errorf("bad signature %v: %d %v", bad, code, body)
		}
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if len(sink.Delivered()) != 1 {
			return fmt.Errorf("%d delivered", len(sink.Delivered()))
		}
		return nil
	})
	d := sink.Requests()[0]
	if string(d.Body) != `{"text":"Hello, World!"}` {
		t.Errorf("body %s", d.Body)
	}
	if stats(rt, "in").Received != 1 {
		t.Errorf("stored %d events", stats(rt, "in").Received)
	}
}

func TestNativeFormatsAndMeta(t *testing.T) {
	rt, sink := start(t, `{path: /in, split: true}`)
	url := "http://" + rt.Addr() + "/in?src=test"
	posts := []struct{ ctype, body string }{
		{"application/json", `{"b":2,"a":1}`},
		{"application/json; charset=utf-8", `[{"n":1},{"n":2}]`},
		{"application/x-ndjson", "{\"l\":1}\n\n{\"l\":2}\n"},
		{"application/x-www-form-urlencoded", "name=ann&tag=a&tag=b"},
		{"application/xml", `<order id="7"><item>x</item><item>y</item></order>`},
	}
	for _, p := range posts {
		code, body := do(t, "POST", url, p.ctype, p.body, "X-Trace", "abc")
		if code != 202 {
			t.Fatalf("%s: %d %v", p.ctype, code, body)
		}
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if n := len(sink.Delivered()); n != 7 {
			return fmt.Errorf("%d of 7 delivered", n)
		}
		return nil
	})
	var bodies []string
	for _, d := range sink.Requests() {
		bodies = append(bodies, string(d.Body))
	}
	joined := strings.Join(bodies, "\n")
	for _, want := range []string{`{"b":2,"a":1}`, `{"n":1}`, `{"n":2}`, `{"l":1}`, `{"l":2}`,
		`{"name":"ann","tag":["a","b"]}`, `{"order":{"@id":"7","item":["x","y"]}}`} {
		if !strings.Contains(joined, want) {
			t.Errorf("no delivery of %s in:\n%s", want, joined)
		}
	}
}

func TestDecode(t *testing.T) {
	cases := []struct {
		ctype, body string
		split       bool
		want        []string
		err         string
	}{
		{"", `{"a":1}`, false, []string{`{"a":1}`}, ""},
		{"application/json", `[1,2]`, false, []string{`[1,2]`}, ""},
		{"application/json", `[1,2]`, true, []string{`1`, `2`}, ""},
		{"application/json", `[]`, true, nil, "empty JSON array"},
		{"application/cloudevents+json", `{"x":true}`, false, []string{`{"x":true}`}, ""},
		{"text/plain", "hi\n", false, []string{`{"text":"hi\n"}`}, ""},
		{"text/plain", "\xff", false, nil, "UTF-8"},
		{"text/xml", `<a x="1">t</a>`, false, []string{`{"a":{"#text":"t","@x":"1"}}`}, ""},
		{"text/xml", `<a/><b/>`, false, nil, "more than one root"},
		{"application/json", "{\n  \"a\": tru\n}", false, nil, "line 2"},
		{"multipart/form-data", `x`, false, nil, "unsupported content type"},
		{"a/b/c", `x`, false, nil, "unsupported content type"},
	}
	for _, c := range cases {
		got, err := webhook.Decode(c.ctype, []byte(c.body), c.split)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Decode(%q, %q) error %v, want %q", c.ctype, c.body, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Decode(%q, %q): %v", c.ctype, c.body, err)
			continue
		}
		var s []string
		for _, g := range got {
			s = append(s, string(g))
		}
		if strings.Join(s, "|") != strings.Join(c.want, "|") {
			t.Errorf("Decode(%q, %q) = %v, want %v", c.ctype, c.body, s, c.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []struct{ ct, body string }{
		{"application/json", `{"a":[1,2,{"b":null}]}`},
		{"application/x-ndjson", "{\"a\":1}\n[2]\n"},
		{"application/x-www-form-urlencoded", "a=1&b=%20&a=2"},
		{"application/xml", `<r a="1"><c>t</c><c/></r>`},
		{"text/plain", "hello"},
	} {
		f.Add(s.ct, []byte(s.body), true)
	}
	f.Fuzz(func(t *testing.T, ct string, body []byte, split bool) {
		out, err := webhook.Decode(ct, body, split)
		if err != nil {
			if len(out) != 0 {
				t.Fatalf("error %v with %d events", err, len(out))
			}
			return
		}
		if len(out) == 0 {
			t.Fatal("no error and no events")
		}
		for _, b := range out {
			if !json.Valid(b) {
				t.Fatalf("event body is not JSON: %q", b)
			}
		}
	})
}
