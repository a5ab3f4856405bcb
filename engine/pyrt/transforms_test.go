package pyrt

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// transformsFloor is how many events of testdata/python/transforms give
// exactly CPython's result; the test fails below it.
const transformsFloor = 119

// transformsExactFloor counts those whose outputs have CPython's key
// order too.
const transformsExactFloor = 119

// TestTransforms runs real-world transforms on sample events through the
// live-test path and compares every result with what CPython 3.11 made
// of the same events (NAME.expected.jsonl, written by
// cpython_expected.py): outputs as JSON values, the exception type of an
// error, and the printed lines.
func TestTransforms(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "python", "transforms")
	files, err := filepath.Glob(filepath.Join(dir, "*.expected.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no expectations in %s: %v", dir, err)
	}
	total, match, exact := 0, 0, 0
	for _, exp := range files {
		name := strings.TrimSuffix(filepath.Base(exp), ".expected.jsonl")
		code, err := os.ReadFile(filepath.Join(dir, name+".py"))
		if err != nil {
			t.Fatal(err)
		}
		events := readLines(t, filepath.Join(dir, name+".jsonl"))
		want := readLines(t, exp)
		metas := make([]*Meta, len(events))
		for i := range metas {
			metas[i] = &Meta{ID: "test-" + strconv.Itoa(i), Source: "test", ReceivedAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
				Headers: map[string]string{"X-Github-Event": "push"}}
		}
		rep, err := Test(context.Background(), TestRequest{Code: string(code), Events: events, Metas: metas, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if rep.CompileError != nil {
			t.Errorf("%s: %v", name, rep.CompileError)
			total += len(events)
			continue
		}
		for i, r := range rep.Results {
			total++
			var w struct {
				Outputs []json.RawMessage `json:"outputs"`
				Error   *string           `json:"error"`
				Logs    []string          `json:"logs"`
			}
			if err := json.Unmarshal(want[i], &w); err != nil {
				t.Fatal(err)
			}
			got := canonResult(r.Outputs, errType(r.Error), r.Logs)
			exp := canonResult(w.Outputs, deref(w.Error), w.Logs)
			if got == exp {
				match++
				if orderedJSON(r.Outputs) == orderedJSON(w.Outputs) {
					exact++
				} else {
					t.Logf("KEY ORDER %s event %d:\n    got  %s\n    want %s", name, i, orderedJSON(r.Outputs), orderedJSON(w.Outputs))
				}
				continue
			}
			t.Logf("MISMATCH %s event %d:\n    got  %s\n    want %s", name, i, got, exp)
			if r.Error != nil {
				t.Logf("    error: %v", r.Error)
			}
		}
	}
	t.Logf("transforms: %d of %d events match CPython 3.11 (%d with the same key order too)", match, total, exact)
	if exact < transformsExactFloor {
		t.Errorf("transforms: %d events have CPython's key order, fewer than the floor of %d", exact, transformsExactFloor)
	}
	if match < transformsFloor {
		t.Errorf("transforms: %d events match, fewer than the floor of %d", match, transformsFloor)
	}
}

func errType(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Type
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func readLines(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []json.RawMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			out = append(out, json.RawMessage(append([]byte(nil), l...)))
		}
	}
	return out
}

// canonResult renders outputs with sorted keys (numbers as written, so
// 2.0 and 2 differ), the error type and the logs.
func canonResult(outs []json.RawMessage, errType string, logs []string) string {
	var b strings.Builder
	for _, o := range outs {
		dec := json.NewDecoder(bytes.NewReader(o))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			b.WriteString("BAD " + string(o))
			continue
		}
		canonJSON(&b, v)
		b.WriteByte(' ')
	}
	b.WriteString("error=" + errType)
	b.WriteString(" logs=" + strings.Join(logs, "|"))
	return b.String()
}

func canonJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			canonJSON(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			canonJSON(b, it)
		}
		b.WriteByte(']')
	default:
		vb, _ := json.Marshal(x)
		b.Write(vb)
	}
}

// orderedJSON re-encodes outputs compactly, keeping key order.
func orderedJSON(outs []json.RawMessage) string {
	var b strings.Builder
	for _, o := range outs {
		var buf bytes.Buffer
		if err := json.Compact(&buf, o); err != nil {
			return "BAD"
		}
		b.Write(buf.Bytes())
		b.WriteByte(' ')
	}
	return b.String()
}
