package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/flow"
	"github.com/sluice-etl/sluice/engine/pyrt"
)

// cmdTest runs one python node of a flow on sample events, without
// sources or destinations: the CLI form of the designer's live test.
func cmdTest(args []string) int {
	return runTest(args, os.Stdout, os.Stderr)
}

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("test", "test FLOW --node ID --events FILE [--json]")
	fs.SetOutput(stderr)
	node := fs.String("node", "", "id of the python node to run")
	events := fs.String("events", "", "sample events: a JSON Lines file or a JSON array (- for stdin)")
	asJSON := fs.Bool("json", false, "print one JSON object per input event")
	pos, err := parse(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 || *node == "" || *events == "" {
		return usageError(fs, "give a flow file, --node and --events")
	}
	doc, ok := loadFlow(pos[0], stderr)
	if !ok {
		return 1
	}
	n := doc.Node(*node)
	if n == nil {
		fmt.Fprintf(stderr, "sluice: %s: no node %q\n", pos[0], *node)
		return 1
	}
	if n.Kind != "python" {
		fmt.Fprintf(stderr, "sluice: node %q is a %s node; test runs python nodes\n", *node, n.Kind)
		return 1
	}
	spec, ok := defaultRegistry().Lookup(n.Kind)
	if !ok {
		fmt.Fprintf(stderr, "sluice: unknown kind %q\n", n.Kind)
		return 1
	}
	var cfg struct {
		Code     string             `json:"code"`
		Function string             `json:"function"`
		Timeout  component.Duration `json:"timeout"`
		Workers  int                `json:"workers"`
	}
	if err := (component.Params{NodeID: n.ID, Config: spec.Config.ApplyDefaults(n.Config)}).Decode(&cfg); err != nil {
		fmt.Fprintf(stderr, "sluice: %v\n", err)
		return 1
	}
	evs, err := readEvents(*events)
	if err != nil {
		fmt.Fprintf(stderr, "sluice: events: %v\n", err)
		return 1
	}
	ctx, cancel := signalContext()
	defer cancel()
	req := pyrt.TestRequest{Code: cfg.Code, Function: cfg.Function, Timeout: cfg.Timeout.D(), Workers: cfg.Workers, Events: evs}
	if src := upstreamSource(doc, n.ID); src != "" {
		// meta["source"] is what it will be when the flow runs.
		now := time.Now().UTC()
		for i := range evs {
			req.Metas = append(req.Metas, &pyrt.Meta{ID: fmt.Sprintf("test-%d", i), Source: src, ReceivedAt: now})
		}
	}
	rep, err := pyrt.Test(ctx, req)
	if err != nil {
		fmt.Fprintf(stderr, "sluice: %v\n", err)
		return 1
	}
	if rep.CompileError != nil {
		e := rep.CompileError
		where := fmt.Sprintf("line %d", e.Line)
		if e.Col > 0 {
			where += fmt.Sprintf(", column %d", e.Col)
		}
		fmt.Fprintf(stderr, "%s: node %s: %s: %s: %s\n", pos[0], n.ID, where, e.Type, e.Message)
		if e.SourceLine != "" {
			fmt.Fprintf(stderr, "    %s\n", e.SourceLine)
		}
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range rep.Results {
			line := struct {
				Index   int               `json:"index"`
				Outputs []json.RawMessage `json:"outputs"`
				Routes  []string          `json:"routes,omitempty"`
				Error   any               `json:"error"`
				Logs    []string          `json:"logs"`
			}{Index: r.Index, Outputs: r.Outputs, Routes: r.Routes, Logs: r.Logs}
			if r.Error != nil {
				line.Error = r.Error.Error()
			}
			if err := enc.Encode(line); err != nil {
				fmt.Fprintf(stderr, "sluice: %v\n", err)
				return 1
			}
		}
		return 0
	}
	printReport(stdout, rep)
	return 0
}

func printReport(w io.Writer, rep pyrt.TestReport) {
	failed, outs := 0, 0
	var total time.Duration
	for _, r := range rep.Results {
		total += time.Duration(r.DurationMS * float64(time.Millisecond))
		fmt.Fprintf(w, "event %d: ", r.Index)
		switch {
		case r.Error != nil:
			failed++
			fmt.Fprintf(w, "ERROR %s\n", r.Error.Error())
			if r.Error.Traceback != "" {
				fmt.Fprint(w, indentLines(r.Error.Traceback, "    "))
			}
		case len(r.Outputs) == 0:
			fmt.Fprintln(w, "dropped")
		default:
			outs += len(r.Outputs)
			fmt.Fprintf(w, "%d output(s)\n", len(r.Outputs))
			for j, o := range r.Outputs {
				if r.Routes != nil && r.Routes[j] != "" {
					fmt.Fprintf(w, "  -> [%s] %s\n", r.Routes[j], o)
					continue
				}
				fmt.Fprintf(w, "  -> %s\n", o)
			}
		}
		for _, l := range r.Logs {
			fmt.Fprintf(w, "  log: %s\n", l)
		}
	}
	fmt.Fprintf(w, "%d event(s): %d output(s), %d error(s), %v in the transform\n", len(rep.Results), outs, failed, total.Round(time.Microsecond))
}

func indentLines(s, pre string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(pre)
		b.WriteString(strings.TrimSpace(l))
		b.WriteByte('\n')
	}
	return b.String()
}

// readEvents reads a JSON array of events or JSON Lines.
func readEvents(path string) ([]json.RawMessage, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var evs []json.RawMessage
		if err := json.Unmarshal(trimmed, &evs); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return evs, nil
	}
	var evs []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for ln := 1; sc.Scan(); ln++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return nil, fmt.Errorf("%s:%d: not a JSON value", path, ln)
		}
		evs = append(evs, json.RawMessage(append([]byte(nil), line...)))
	}
	return evs, sc.Err()
}

// upstreamSource is the one source node whose events reach node id, or
// "" when there are none or several.
func upstreamSource(doc *flow.Doc, id string) string {
	seen := map[string]bool{}
	var sources []string
	var walk func(string)
	walk = func(to string) {
		for _, e := range doc.Edges {
			if e.To != to || seen[e.From] {
				continue
			}
			seen[e.From] = true
			if n := doc.Node(e.From); n != nil {
				if spec, ok := defaultRegistry().Lookup(n.Kind); ok && spec.Category == component.CategorySource {
					sources = append(sources, n.ID)
					continue
				}
			}
			walk(e.From)
		}
	}
	walk(id)
	if len(sources) != 1 {
		return ""
	}
	return sources[0]
}
