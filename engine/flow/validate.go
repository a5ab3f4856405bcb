package flow

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/delivery"
)

// Problem is one thing wrong with a flow document: which node (empty for the
// document itself), which field ("config.url", "delivery.retry.initial",
// "edges[2].to"), and a message a person understands. Line is the line in
// the file where it is, when known.
type Problem struct {
	Node    string `json:"node,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	// Warning marks something that does not stop the flow from running
	// but is probably not what the author meant.
	Warning bool `json:"warning,omitempty"`
}

// Errors returns the problems that are not warnings.
func Errors(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Node != "" {
		fmt.Fprintf(&b, "node %q: ", p.Node)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, "%s: ", p.Field)
	}
	b.WriteString(p.Message)
	return b.String()
}

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
)

// Validate returns every problem of the document at once, in document
// order; the flow can run when none of them is an error (see Errors).
func Validate(d *Doc, reg *component.Registry) []Problem {
	v := validator{d: d, reg: reg}
	v.run()
	return v.ps
}

type validator struct {
	d   *Doc
	reg *component.Registry
	ps  []Problem
}

func (v *validator) add(node, field, place, format string, args ...any) {
	line := 0
	if v.d.lines != nil {
		line = v.d.lines[place]
		if line == 0 && node != "" {
			line = v.d.lines["node:"+node]
		}
	}
	v.ps = append(v.ps, Problem{Node: node, Field: field, Message: fmt.Sprintf(format, args...), Line: line})
}

func (v *validator) run() {
	d := v.d
	if d.Version != Version {
		v.add("", "version", "top:version", "version must be %d, not %d", Version, d.Version)
	}
	if d.Name == "" {
		v.add("", "name", "top:name", "the flow needs a name")
	} else if !namePattern.MatchString(d.Name) {
		v.add("", "name", "top:name", "name %q may use only letters, digits, '.', '_' and '-' (it names the data directory)", d.Name)
	}
	if len(d.Nodes) == 0 {
		v.add("", "nodes", "top:nodes", "the flow has no nodes")
	}
	switch d.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		v.add("", "log_level", "top:log_level", "log_level must be debug, info, warn or error, not %q", d.LogLevel)
	}

	cats := map[string]component.Category{}
	for i, n := range d.Nodes {
		place := "node:" + n.ID
		if n.ID == "" {
			v.add("", fmt.Sprintf("nodes[%d].id", i), "top:nodes", "node needs an id")
			continue
		}
		if !idPattern.MatchString(n.ID) {
			v.add(n.ID, "id", place, "id may use only letters, digits, '_' and '-', starting with a letter (at most 64)")
		}
		if _, dup := cats[n.ID]; dup {
			v.add(n.ID, "id", place, "duplicate node id")
			continue
		}
		spec, ok := v.reg.Lookup(n.Kind)
		if !ok {
			cats[n.ID] = ""
			v.add(n.ID, "kind", place+".kind", "unknown kind %q; known kinds: %s", n.Kind, knownKinds(v.reg))
			continue
		}
		cats[n.ID] = spec.Category
		for _, p := range spec.CheckConfig(n.Config) {
			v.add(n.ID, join("config", p.Field), place+".config."+firstSegment(p.Field), "%s", p.Message)
		}
		if n.Delivery != nil {
			if spec.Category != component.CategoryDestination {
				v.add(n.ID, "delivery", place+".delivery", "only destinations have delivery settings; %s is a %s", n.Kind, spec.Category)
			} else {
				for _, p := range delivery.Schema.Validate(n.Delivery) {
					v.add(n.ID, join("delivery", p.Field), place+".delivery."+firstSegment(p.Field), "%s", p.Message)
				}
				for _, p := range delivery.Check(n.Delivery) {
					v.add(n.ID, join("delivery", p.Field), place+".delivery."+firstSegment(p.Field), "%s", p.Message)
				}
				if to, ok := alertTarget(n.Delivery); ok {
					v.checkAlertTarget(n.ID, to)
				}
			}
		}
	}

	out := map[string][]string{}
	in := map[string]int{}
	seen := map[[2]string]bool{}
	for i, e := range d.Edges {
		place := fmt.Sprintf("edge:%d", i)
		field := fmt.Sprintf("edges[%d]", i)
		bad := false
		for _, end := range []struct{ name, id string }{{"from", e.From}, {"to", e.To}} {
			if end.id == "" {
				v.add("", field+"."+end.name, place, "edge needs %q", end.name)
				bad = true
			} else if _, ok := cats[end.id]; !ok {
				v.add("", field+"."+end.name, place, "edge %s node %q does not exist", end.name, end.id)
				bad = true
			}
		}
		if bad {
			continue
		}
		if e.From == e.To {
			v.add(e.From, field, place, "edge from %q to itself", e.From)
			continue
		}
		if seen[[2]string{e.From, e.To}] && e.Route == "" {
			v.add(e.From, field, place, "duplicate edge %s -> %s", e.From, e.To)
			continue
		}
		seen[[2]string{e.From, e.To}] = true
		if cats[e.To] == component.CategorySource {
			v.add(e.To, field+".to", place, "a source takes no input, but an edge from %q leads into it", e.From)
		}
		if cats[e.From] == component.CategoryDestination {
			v.add(e.From, field+".from", place, "a destination has no output, but an edge leads from it to %q", e.To)
		}
		if e.Route != "" && cats[e.From] != component.CategoryTransform && cats[e.From] != "" {
			v.add(e.From, field+".route", place, "only edges leaving a transform can have a route")
		}
		out[e.From] = append(out[e.From], e.To)
		in[e.To]++
	}

	if cyc := findCycle(d.Nodes, out); cyc != nil {
		v.add(cyc[0], "edges", "node:"+cyc[0], "edges form a cycle: %s", strings.Join(cyc, " -> "))
	}

	reach := map[string]bool{}
	var walk func(string)
	walk = func(id string) {
		if reach[id] {
			return
		}
		reach[id] = true
		for _, to := range out[id] {
			walk(to)
		}
	}
	for _, n := range d.Nodes {
		if cats[n.ID] == component.CategorySource {
			walk(n.ID)
		}
		// An alert target is fed by the alerts of the destination naming
		// it, edges or not.
		if to, ok := alertTarget(n.Delivery); ok {
			reach[to] = true
		}
	}
	for _, n := range d.Nodes {
		c, known := cats[n.ID]
		if !known || c == "" || n.ID == "" {
			continue
		}
		place := "node:" + n.ID
		if c != component.CategorySource && !reach[n.ID] {
			v.add(n.ID, "", place, "not reachable from any source: connect a source to it")
		}
		if c != component.CategoryDestination && len(out[n.ID]) == 0 {
			v.add(n.ID, "", place, "has no outgoing edge: its events would go nowhere; connect it to a destination")
		}
	}

	ids := make([]string, 0, len(d.Layout))
	for id := range d.Layout {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := cats[id]; !ok {
			v.add("", "layout."+id, "top:layout", "layout names node %q, which does not exist", id)
		}
	}
}

func (v *validator) checkAlertTarget(node, to string) {
	n := v.d.Node(to)
	if n == nil {
		v.add(node, "delivery.alert.to", "node:"+node+".delivery", "alert target %q is not a node of this flow: alerts will only be logged", to)
		v.ps[len(v.ps)-1].Warning = true
		return
	}
	if spec, ok := v.reg.Lookup(n.Kind); ok && spec.Category != component.CategoryDestination {
		v.add(node, "delivery.alert.to", "node:"+node+".delivery", "alert target %q must be a destination, not a %s", to, spec.Category)
	}
	if to == node {
		v.add(node, "delivery.alert.to", "node:"+node+".delivery", "a destination cannot send its alerts to itself")
	}
}

func alertTarget(d map[string]any) (string, bool) {
	a, ok := d["alert"].(map[string]any)
	if !ok {
		return "", false
	}
	to, ok := a["to"].(string)
	return to, ok && to != ""
}

func join(prefix, field string) string {
	if field == "" {
		return prefix
	}
	return prefix + "." + field
}

func firstSegment(field string) string {
	if i := strings.IndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return field
}

func knownKinds(reg *component.Registry) string {
	var ks []string
	for _, s := range reg.Specs() {
		ks = append(ks, s.Kind)
	}
	return strings.Join(ks, ", ")
}

// findCycle returns the node ids of one cycle, first node repeated at the
// end, or nil.
func findCycle(nodes []Node, out map[string][]string) []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var found []string
	var visit func(string) bool
	visit = func(id string) bool {
		color[id] = grey
		stack = append(stack, id)
		for _, to := range out[id] {
			switch color[to] {
			case grey:
				for i, s := range stack {
					if s == to {
						found = append(append([]string{}, stack[i:]...), to)
					}
				}
				return true
			case white:
				if visit(to) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
		return false
	}
	for _, n := range nodes {
		if color[n.ID] == white && visit(n.ID) {
			return found
		}
	}
	return nil
}
