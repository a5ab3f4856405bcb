package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/flow"
	"github.com/sluice-etl/sluice/engine/runtime"
	"github.com/sluice-etl/sluice/engine/store"
)

func printJSON(v any) int {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(os.Stderr, "sluice:", err)
		return 1
	}
	return 0
}

func validateJSON(path string) bool {
	doc, err := flow.Load(path)
	if err != nil {
		printJSON(map[string]any{"file": path, "problems": []flow.Problem{{Message: err.Error()}}})
		return false
	}
	ps := flow.Validate(doc, defaultRegistry())
	if ps == nil {
		ps = []flow.Problem{}
	}
	printJSON(map[string]any{"file": path, "problems": ps})
	return len(flow.Errors(ps)) == 0
}

func printDead(dl []*store.DeadLetter, node string, asJSON bool) int {
	if asJSON {
		if dl == nil {
			dl = []*store.DeadLetter{}
		}
		return printJSON(dl)
	}
	if len(dl) == 0 {
		fmt.Printf("no dead letters at %s\n", node)
		return 0
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT ID\tDEAD AT\tATTEMPTS\tREASON")
	for _, d := range dl {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", d.Event.ID, d.DeadAt.Format("2006-01-02 15:04:05Z07:00"), len(d.Attempts), cut(d.Reason, 100))
	}
	tw.Flush()
	fmt.Printf("%d dead letter(s) at %s\n", len(dl), node)
	return 0
}

// dlqRemote does a dlq action through a running runner's admin API.
func dlqRemote(c *adminClient, action, node, id string, asJSON bool) int {
	base := "/admin/v1/nodes/" + node + "/dead-letters"
	var body any
	if id != "" {
		body = map[string][]string{"ids": {id}}
	}
	var err error
	switch action {
	case "list":
		var dl []*store.DeadLetter
		if err = c.do("GET", base, nil, &dl); err == nil {
			return printDead(dl, node, asJSON)
		}
	case "show":
		var d store.DeadLetter
		if err = c.do("GET", base+"/"+id, nil, &d); err == nil {
			return printJSON(d)
		}
	case "purge", "replay":
		var out map[string]int
		if err = c.do("POST", base+"/"+action, body, &out); err == nil {
			verb := map[string]string{"purge": "purged", "replay": "replayed"}[action]
			fmt.Printf("%s %d dead letter(s) at %s\n", verb, out[verb], node)
			return 0
		}
	default:
		fmt.Fprintf(os.Stderr, "sluice dlq: unknown action %q\n", action)
		return 2
	}
	fmt.Fprintln(os.Stderr, "sluice dlq:", err)
	return 1
}

// openData opens the data directory of a flow for inspection.
func openData(flowPath, data string) (*flow.Doc, *store.Badger, error) {
	doc, err := flow.Load(flowPath)
	if err != nil {
		return nil, nil, err
	}
	if data == "" {
		data = runtime.DefaultDataDir(doc.Name)
	}
	if _, err := os.Stat(data); err != nil {
		return nil, nil, fmt.Errorf("no data directory %s (has the flow run yet? use --data)", data)
	}
	st, err := store.Open(store.Options{Dir: data, Logger: quietLogger()})
	if errors.Is(err, store.ErrLocked) {
		return nil, nil, fmt.Errorf("%w: %s is held by a running runner; stop it first", err, data)
	}
	return doc, st, err
}

func cmdDLQ(args []string) int {
	fs := newFlags("dlq", "dlq list|show|purge|replay FLOW --node ID [--data DIR] [--id EVENT_ID] [--json]")
	node := fs.String("node", "", "node whose dead letters to read (a destination or a transform)")
	data := fs.String("data", "", "data directory (default: the flow's default)")
	id := fs.String("id", "", "one event id (show: required; purge, replay: only this one)")
	asJSON := fs.Bool("json", false, "print JSON")
	c := adminFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 2 || *node == "" {
		return usageError(fs, "give an action, a flow file and --node")
	}
	action := pos[0]
	doc, st, err := openData(pos[1], *data)
	if errors.Is(err, store.ErrLocked) {
		// A runner holds the data: ask it through its admin API.
		return dlqRemote(c, action, *node, *id, *asJSON)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice dlq:", err)
		return 1
	}
	defer st.Close()
	if doc.Node(*node) == nil {
		fmt.Fprintf(os.Stderr, "sluice dlq: flow %q has no node %q\n", doc.Name, *node)
		return 1
	}
	var ids []string
	if *id != "" {
		ids = []string{*id}
	}
	switch action {
	case "list":
		dl, err := st.DeadLetters(*node, 0, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sluice dlq:", err)
			return 1
		}
		return printDead(dl, *node, *asJSON)
	case "show":
		if *id == "" {
			return usageError(fs, "show needs --id")
		}
		d, err := st.DeadLetter(*node, *id)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sluice dlq:", err)
			return 1
		}
		return printJSON(d)
	case "purge":
		n, err := st.PurgeDead(*node, ids...)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sluice dlq:", err)
			return 1
		}
		fmt.Printf("purged %d dead letter(s) at %s\n", n, *node)
	case "replay":
		spec, _ := defaultRegistry().Lookup(doc.Node(*node).Kind)
		switch spec.Category {
		case component.CategoryDestination:
			evs, err := st.ReplayDead(*node, *node, ids...)
			if err != nil {
				fmt.Fprintln(os.Stderr, "sluice dlq:", err)
				return 1
			}
			fmt.Printf("replayed %d dead letter(s) into the queue of %s; they are delivered at the next run\n", len(evs), *node)
		case component.CategoryTransform:
			evs, err := st.ReplayDeadInbox(*node, ids...)
			if err != nil {
				fmt.Fprintln(os.Stderr, "sluice dlq:", err)
				return 1
			}
			fmt.Printf("replayed %d dead letter(s) into the inbox; they run through %s (with the flow's code then) at the next run\n", len(evs), *node)
		default:
			fmt.Fprintf(os.Stderr, "sluice dlq: replay works on the dead letters of a destination or a transform; %q is a %s\n", *node, spec.Category)
			return 1
		}
	default:
		return usageError(fs, fmt.Sprintf("unknown action %q", action))
	}
	return 0
}
