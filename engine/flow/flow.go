// Package flow is the flow document: nodes, edges and layout, as one
// versioned YAML (or JSON) file. It decodes, validates and encodes the
// document; it never resolves secrets, so what is written back out keeps
// the references.
package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Version is the document version this package reads and writes.
const Version = 1

// Doc is a flow document.
type Doc struct {
	Version     int    `yaml:"version" json:"version"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// LogLevel, optional, is the flow's log level (debug, info, warn,
	// error); a runner's --log-level overrides it.
	LogLevel string              `yaml:"log_level,omitempty" json:"log_level,omitempty"`
	Nodes    []Node              `yaml:"nodes" json:"nodes"`
	Edges    []Edge              `yaml:"edges" json:"edges"`
	Layout   map[string]Position `yaml:"layout,omitempty" json:"layout,omitempty"`

	// lines maps places in the document to the line they came from:
	// "node:ID", "node:ID.config.FIELD", "edge:N".
	lines map[string]int
}

// Node is one box of the flow.
type Node struct {
	ID       string         `yaml:"id" json:"id"`
	Kind     string         `yaml:"kind" json:"kind"`
	Config   map[string]any `yaml:"config,omitempty" json:"config,omitempty"`
	Delivery map[string]any `yaml:"delivery,omitempty" json:"delivery,omitempty"`
}

// Edge connects the output of one node to the input of another. Route,
// optional, takes only the outputs a transform labelled with that route.
type Edge struct {
	From  string `yaml:"from" json:"from"`
	To    string `yaml:"to" json:"to"`
	Route string `yaml:"route,omitempty" json:"route,omitempty"`
}

// Position is where a node sits on the designer's canvas.
type Position struct {
	X float64 `yaml:"x" json:"x"`
	Y float64 `yaml:"y" json:"y"`
}

// Node returns the node with the given id, or nil.
func (d *Doc) Node(id string) *Node {
	for i := range d.Nodes {
		if d.Nodes[i].ID == id {
			return &d.Nodes[i]
		}
	}
	return nil
}

// Line returns the line a place of the document came from, 0 if unknown.
func (d *Doc) Line(place string) int { return d.lines[place] }

// Load reads and decodes a flow file.
func Load(path string) (*Doc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read flow: %w", err)
	}
	return Decode(b, path)
}

// Decode parses a flow document from YAML or JSON. name is used in error
// messages ("orders.yaml:12:3: ..."). Unknown top-level, node and edge
// fields are errors.
func Decode(data []byte, name string) (*Doc, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: the flow file is empty", name)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", name, cleanYAMLError(err))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var d Doc
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %s", name, cleanYAMLError(err))
	}
	for i := range d.Nodes {
		d.Nodes[i].Config = normalize(d.Nodes[i].Config).(map[string]any)
		d.Nodes[i].Delivery = normalize(d.Nodes[i].Delivery).(map[string]any)
	}
	d.lines = lines(&root)
	return &d, nil
}

func cleanYAMLError(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// normalize turns what YAML decoded into the same shapes encoding/json
// produces (map[string]any, []any, float64/int, string, bool), so the
// schema validator and the JSON round trip see one world.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return map[string]any(nil)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case nil:
		return v
	}
	return v
}

// lines walks the YAML tree and records where nodes, their config fields
// and edges are.
func lines(root *yaml.Node) map[string]int {
	out := map[string]int{}
	if root == nil || len(root.Content) == 0 {
		return out
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		out["top:"+key.Value] = key.Line
		switch key.Value {
		case "nodes":
			for _, n := range val.Content {
				id := field(n, "id")
				if id == nil {
					continue
				}
				place := "node:" + id.Value
				out[place] = n.Line
				for j := 0; j+1 < len(n.Content); j += 2 {
					k, v := n.Content[j], n.Content[j+1]
					out[place+"."+k.Value] = k.Line
					if v.Kind == yaml.MappingNode {
						for m := 0; m+1 < len(v.Content); m += 2 {
							out[place+"."+k.Value+"."+v.Content[m].Value] = v.Content[m].Line
						}
					}
				}
			}
		case "edges":
			for j, e := range val.Content {
				out[fmt.Sprintf("edge:%d", j)] = e.Line
			}
		}
	}
	return out
}

func field(n *yaml.Node, name string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1]
		}
	}
	return nil
}

// EncodeYAML writes the document as YAML, the canonical form on disk.
func (d *Doc) EncodeYAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encode flow: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode flow: %w", err)
	}
	return buf.Bytes(), nil
}

// EncodeJSON writes the document as indented JSON.
func (d *Doc) EncodeJSON() ([]byte, error) {
	return json.MarshalIndent(d, "", "  ")
}
