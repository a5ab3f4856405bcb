package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCmdTest builds the real binary: the python workers are re-executions
// of it, so this is the path a user takes.
func TestCmdTest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "sluice")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root := filepath.Join("..", "..", "testdata", "python")
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}

	out, errOut, code := run("test", filepath.Join(root, "flow.yaml"), "--node", "normalize", "--events", filepath.Join(root, "events.jsonl"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %q", out)
	}
	var first struct {
		Index   int               `json:"index"`
		Outputs []json.RawMessage `json:"outputs"`
		Error   *string           `json:"error"`
		Logs    []string          `json:"logs"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Error != nil || len(first.Outputs) != 1 || string(first.Outputs[0]) != `{"email":"a@b.c","amount":3}` || len(first.Logs) != 1 {
		t.Errorf("event 0: %s", lines[0])
	}
	if lines[1] != `{"index":1,"outputs":[],"error":null,"logs":[]}` {
		t.Errorf("event 1: %s", lines[1])
	}
	if !strings.Contains(lines[2], `"error":"line 5: KeyError: 'email'`) {
		t.Errorf("event 2: %s", lines[2])
	}

	// The readable report, from a JSON array.
	arr := filepath.Join(t.TempDir(), "events.json")
	os.WriteFile(arr, []byte(`[{"email":"X@Y.Z"}, {"amount": -5}]`), 0o644)
	out, _, code = run("test", filepath.Join(root, "flow.yaml"), "--node", "normalize", "--events", arr)
	if code != 0 || !strings.Contains(out, `-> {"email":"x@y.z"}`) || !strings.Contains(out, "event 1: dropped") {
		t.Errorf("report (exit %d):\n%s", code, out)
	}

	// Code that does not compile: exit 1 with line and column.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nname: bad\nnodes:\n  - id: p\n    kind: python\n    config:\n      code: |\n        def transform(e):\n            return {'a': 1\n"), 0o644)
	_, errOut, code = run("test", bad, "--node", "p", "--events", arr)
	if code != 1 || !strings.Contains(errOut, "config.code: line 3: SyntaxError") {
		t.Errorf("bad code: exit %d: %s", code, errOut)
	}
}

// meta["source"] in `sluice test` is the source that feeds the node, as
// when the flow runs ("test" when there is none or several).
func TestCmdTestMetaSource(t *testing.T) {
	dir := t.TempDir()
	flowPath := writeFlow(t, dir, `version: 1
name: meta
nodes:
  - {id: orders, kind: webhook, config: {path: /in}}
  - id: py
    kind: python
    config:
      code: |
        def transform(event, meta):
            return {"source": meta["source"]}
  - {id: out, kind: log}
edges: [{from: orders, to: py}, {from: py, to: out}]
`)
	events := filepath.Join(dir, "ev.jsonl")
	if err := os.WriteFile(events, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sluiceBin, "test", flowPath, "--node", "py", "--events", events, "--json").Output()
	if err != nil || !strings.Contains(string(out), `{"source":"orders"}`) {
		t.Errorf("sluice test: %v\n%s", err, out)
	}
}
