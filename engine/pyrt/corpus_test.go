package pyrt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusFloor is the number of corpus cases known to match CPython. The
// test fails when fewer match: raise it when a fix makes more pass.
const corpusFloor = 128

// TestCorpus runs the Python language corpus (testdata/python/corpus, 132
// snippets and what CPython 3.11 computes for each) through the path a
// transform takes: live test, worker process, JSON out.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "python", "corpus")
	src, err := os.ReadFile(filepath.Join(dir, "cases.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	raw, err := os.ReadFile(filepath.Join(dir, "cpython.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	cases := strings.Split(string(src), "### ")[1:]
	match := 0
	var misses []string
	for _, c := range cases {
		name, code, _ := strings.Cut(c, "\n")
		got := runCase(t, code)
		if got == want[name] {
			match++
			continue
		}
		misses = append(misses, fmt.Sprintf("%s:\n    got  %s\n    want %s", name, got, want[name]))
	}
	sort.Strings(misses)
	for _, m := range misses {
		t.Log("MISMATCH " + m)
	}
	t.Logf("corpus: %d of %d cases match CPython 3.11", match, len(cases))
	if match < corpusFloor {
		t.Errorf("corpus: %d cases match, fewer than the floor of %d", match, corpusFloor)
	}
}

func runCase(t *testing.T, code string) string {
	t.Helper()
	code += "\ndef transform(event):\n    return {\"r\": r}\n"
	rep, err := Test(context.Background(), TestRequest{Code: code, Timeout: 5 * time.Second, Events: []json.RawMessage{json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if e := rep.CompileError; e != nil {
		return fmt.Sprintf("ERROR %s: %s", e.Type, e.Message)
	}
	r := rep.Results[0]
	if r.Error != nil {
		return fmt.Sprintf("ERROR %s: %s", r.Error.Type, r.Error.Message)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Outputs[0]))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return "BAD OUTPUT " + string(r.Outputs[0])
	}
	var b strings.Builder
	pyDumps(&b, v["r"])
	return b.String()
}

// pyDumps writes v as CPython's json.dumps(v, sort_keys=True) does.
func pyDumps(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		fmt.Fprint(b, x)
	case json.Number:
		b.WriteString(string(x))
	case string:
		e := newEncoder(nil)
		e.ascii = true
		e.str(x)
		b.Write(e.buf)
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			pyDumps(b, it)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			pyDumps(b, k)
			b.WriteString(": ")
			pyDumps(b, x[k])
		}
		b.WriteByte('}')
	}
}
