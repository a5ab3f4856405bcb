package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sluice-etl/sluice/engine/flow"
	"github.com/sluice-etl/sluice/engine/observe"
	"github.com/sluice-etl/sluice/engine/runtime"
)

// tracesDir is where a runner keeps its traces inside its data directory.
func tracesDir(data string) string { return filepath.Join(data, "traces") }

// openTraces opens the trace store of a flow's data directory for
// reading. It returns observe.ErrLocked (wrapped) when a running runner
// holds it; the caller then asks that runner.
func openTraces(flowPath, data string) (*flow.Doc, *observe.Traces, error) {
	var doc *flow.Doc
	if flowPath != "" {
		var err error
		if doc, err = flow.Load(flowPath); err != nil {
			return nil, nil, err
		}
		if data == "" {
			data = runtime.DefaultDataDir(doc.Name)
		}
	}
	dir := tracesDir(data)
	if _, err := os.Stat(dir); err != nil {
		if _, err := os.Stat(data); err != nil {
			return doc, nil, fmt.Errorf("no data directory %s (has the flow run yet? use --data)", data)
		}
		return doc, nil, fmt.Errorf("no traces in %s (the flow has not run with tracing on)", data)
	}
	tr, err := observe.OpenTraces(dir, observe.TraceOptions{SweepEvery: -1, Logger: quietLogger()})
	return doc, tr, err
}

func traceFlags(name, usage string) (*flag.FlagSet, *string, *bool, *adminClient) {
	fs := newFlags(name, usage)
	data := fs.String("data", "", "data directory (default: the flow's default)")
	asJSON := fs.Bool("json", false, "print JSON")
	c := adminFlags(fs)
	return fs, data, asJSON, c
}

func cmdTrace(args []string) int {
	fs, data, asJSON, c := traceFlags("trace", "trace EVENT_ID [FLOW] [--data DIR] [--json] [--admin ADDR] [--token T]\n(without FLOW and --data: ask the runner at --admin)")
	pos, err := parse(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) < 1 || len(pos) > 2 {
		return usageError(fs, "give an event id and a flow file (or --data)")
	}
	id, flowPath := pos[0], ""
	if len(pos) == 2 {
		flowPath = pos[1]
	}
	var steps []observe.Step
	tr, err := (*observe.Traces)(nil), observe.ErrLocked
	if flowPath != "" || *data != "" {
		_, tr, err = openTraces(flowPath, *data)
	}
	switch {
	case errors.Is(err, observe.ErrLocked):
		// A runner holds the data: ask it through its admin API.
		err = c.do("GET", "/admin/v1/trace/"+url.PathEscape(id), nil, &steps)
	case err == nil:
		steps, err = tr.Trace(id)
		tr.Close()
	}
	if errors.Is(err, observe.ErrNotFound) || err != nil && strings.Contains(err.Error(), observe.ErrNotFound.Error()) {
		fmt.Fprintf(os.Stderr, "sluice trace: no trace of event %s (an unknown id, or removed by retention)\n", id)
		return 1
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice trace:", err)
		return 1
	}
	if *asJSON {
		return printJSON(steps)
	}
	printTimeline(os.Stdout, id, steps)
	return 0
}

// printTimeline writes an event's story, one step a line with its details
// indented below.
func printTimeline(w io.Writer, id string, steps []observe.Step) {
	if len(steps) == 0 {
		return
	}
	start := steps[0].At
	fmt.Fprintf(w, "event %s, first seen %s\n\n", id, start.Local().Format("2006-01-02 15:04:05.000 MST"))
	nodeW := 4
	for _, s := range steps {
		nodeW = max(nodeW, len(s.Node))
	}
	indent := strings.Repeat(" ", 12+2+10+2+nodeW+2)
	detail := func(label, text string) {
		if text != "" {
			fmt.Fprintf(w, "%s%-9s %s\n", indent, label+":", text)
		}
	}
	for _, s := range steps {
		off := "+" + roundDur(s.At.Sub(start)).String()
		fmt.Fprintf(w, "%-12s  %-10s  %-*s  %s\n", s.At.Local().Format("15:04:05.000"), off, nodeW, s.Node, headline(id, &s))
		switch s.Kind {
		case observe.KindReceived:
			if s.Meta != nil {
				detail("from", strings.TrimSpace(s.Meta.Path+" "+s.Meta.Remote))
			}
			detail("body", body(s.Body))
		case observe.KindTransformed:
			detail("input", body(s.Input))
			for _, o := range s.Outputs {
				label := "output"
				if o.ID != s.Event {
					label = "output " + strings.TrimPrefix(o.ID, s.Event)
				}
				if o.Route != "" {
					label += " (" + o.Route + ")"
				}
				detail(label, body(o.Body))
			}
			for _, l := range s.Logs {
				detail("print", cut(l, 200))
			}
			detail("error", s.Error)
		case observe.KindAttempted:
			detail("request", s.Request)
			detail("error", s.Error)
			detail("response", cut(s.Response, 300))
		case observe.KindDeadLettered, observe.KindReplayed:
			detail("reason", s.Reason)
		}
	}
}

// headline is the one-line summary of a step.
func headline(id string, s *observe.Step) string {
	var b strings.Builder
	switch s.Kind {
	case observe.KindReceived:
		fmt.Fprintf(&b, "received from %s", s.Source)
	case observe.KindTransformed:
		switch s.Status {
		case observe.StatusDropped:
			b.WriteString("transform dropped the event")
		case observe.StatusFailed:
			b.WriteString("transform FAILED")
		default:
			n := len(s.Outputs)
			fmt.Fprintf(&b, "transformed into %d event", n)
			if n != 1 {
				b.WriteString("s")
			}
		}
	case observe.KindEnqueued:
		b.WriteString("queued for delivery")
	case observe.KindAttempted:
		fmt.Fprintf(&b, "attempt %d ", s.Attempt)
		if s.Status == observe.StatusDelivered {
			b.WriteString("delivered")
		} else {
			b.WriteString("FAILED")
		}
		if s.Code != 0 {
			fmt.Fprintf(&b, " (%d)", s.Code)
		}
		if s.Took > 0 {
			fmt.Fprintf(&b, " in %s", roundDur(s.Took.D()))
		}
		if !s.Next.IsZero() {
			fmt.Fprintf(&b, ", next try at %s", s.Next.Local().Format("15:04:05.000"))
		} else if s.Status != observe.StatusDelivered {
			b.WriteString(", no more tries")
		}
	case observe.KindDeadLettered:
		b.WriteString("DEAD-LETTERED")
	case observe.KindReplayed:
		b.WriteString("replayed into the queue")
	default:
		b.WriteString(string(s.Kind))
	}
	if s.Took > 0 && s.Kind != observe.KindAttempted {
		fmt.Fprintf(&b, " in %s", roundDur(s.Took.D()))
	}
	if s.Event != id && s.Event != "" {
		fmt.Fprintf(&b, "  [%s]", s.Event)
	}
	return b.String()
}

// body renders a kept body on one line.
func body(p *observe.Payload) string {
	if p == nil {
		return ""
	}
	if p.Truncated {
		var s string
		json.Unmarshal(p.Data, &s)
		return cut(s, 300) + fmt.Sprintf(" … (cut, %d bytes in all)", p.Size)
	}
	return cut(string(p.Data), 300)
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

func cmdEvents(args []string) int {
	fs, data, asJSON, c := traceFlags("events", "events [FLOW] [--node ID] [--since 10m] [--status failed|dead|delivered|dropped] [--limit N] [--data DIR] [--json]\n(without FLOW and --data: ask the runner at --admin)")
	node := fs.String("node", "", "only events that passed this node")
	since := fs.String("since", "", "only events received since: a duration (10m, 2h) or an RFC 3339 time")
	status := fs.String("status", "", "only events whose latest status, at the node or anywhere, is this (failed includes dead)")
	limit := fs.Int("limit", 100, "at most this many events")
	pos, err := parse(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) > 1 {
		return usageError(fs, "give one flow file (or --data)")
	}
	q, err := observe.ParseQuery(*node, *since, *status, strconv.Itoa(*limit), time.Now())
	if err != nil {
		return usageError(fs, err.Error())
	}
	flowPath := ""
	if len(pos) == 1 {
		flowPath = pos[0]
	}
	var evs []observe.EventSummary
	var doc *flow.Doc
	tr, err := (*observe.Traces)(nil), observe.ErrLocked
	if flowPath != "" || *data != "" {
		doc, tr, err = openTraces(flowPath, *data)
	}
	if doc != nil && *node != "" && doc.Node(*node) == nil {
		if tr != nil {
			tr.Close()
		}
		fmt.Fprintf(os.Stderr, "sluice events: flow %q has no node %q\n", doc.Name, *node)
		return 1
	}
	switch {
	case errors.Is(err, observe.ErrLocked):
		v := url.Values{}
		v.Set("node", *node)
		v.Set("since", *since)
		v.Set("status", *status)
		v.Set("limit", strconv.Itoa(*limit))
		err = c.do("GET", "/admin/v1/events?"+v.Encode(), nil, &evs)
	case err == nil:
		evs, err = tr.Events(q)
		tr.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice events:", err)
		return 1
	}
	if *asJSON {
		if evs == nil {
			evs = []observe.EventSummary{}
		}
		return printJSON(evs)
	}
	printEvents(os.Stdout, *node, evs)
	return 0
}

func printEvents(w io.Writer, node string, evs []observe.EventSummary) {
	where := "anywhere"
	if node != "" {
		where = "at " + node
	}
	if len(evs) == 0 {
		fmt.Fprintf(w, "no events %s\n", where)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "EVENT ID\tRECEIVED\tSTATUS %s\tAT\tLATEST\tSTEPS\n", strings.ToUpper(where))
	for _, e := range evs {
		latest := fmt.Sprintf("%s at %s", e.LastStatus, e.LastNode)
		rcv := "-"
		if !e.ReceivedAt.IsZero() {
			rcv = e.ReceivedAt.Local().Format("Jan 2 15:04:05.000")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", e.ID, rcv, e.Status, e.At.Local().Format("15:04:05.000"), latest, e.Steps)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d event(s) %s, newest first; see one with: sluice trace EVENT_ID FLOW\n", len(evs), where)
}
