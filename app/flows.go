package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/flow"
	"github.com/sluice-etl/sluice/engine/secret"
)

// Flows creates, opens, saves, validates and exports flow documents. The
// document the frontend edits is the canonical flow document: what it saves
// is exactly what `sluice run` reads.
type Flows struct {
	reg    *component.Registry
	recent *recentList
}

// Opened is a flow read from a file or from text, with its problems.
type Opened struct {
	Path     string         `json:"path"`
	Doc      *flow.Doc      `json:"doc"`
	Problems []flow.Problem `json:"problems"`
}

// Saved says where a flow was written and what is still wrong with it (a
// flow with problems is saved all the same: work is never lost).
type Saved struct {
	Path     string         `json:"path"`
	Problems []flow.Problem `json:"problems"`
}

// Exported is the flow as a server runs it.
type Exported struct {
	Path    string `json:"path,omitempty"`
	YAML    string `json:"yaml"`
	Command string `json:"command"`
	// Warnings name secret fields that hold a literal value instead of a
	// reference such as ${env:NAME}.
	Warnings []string `json:"warnings"`
}

var nameClean = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// New returns an empty flow named name (cleaned up to a valid name).
func (f *Flows) New(name string) (*flow.Doc, error) {
	name = strings.Trim(nameClean.ReplaceAllString(strings.TrimSpace(name), "-"), "-.")
	if name == "" {
		name = "untitled"
	}
	return &flow.Doc{Version: flow.Version, Name: name, Nodes: []flow.Node{}, Edges: []flow.Edge{}, Layout: map[string]flow.Position{}}, nil
}

// Open reads a flow file. A file that does not parse is an error whose
// message names the line; a flow that parses but does not validate opens
// with its problems.
func (f *Flows) Open(path string) (*Opened, error) {
	if path == "" {
		return nil, errors.New("open flow: no file given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open flow: %w", err)
	}
	doc, err := flow.Load(abs)
	if err != nil {
		return nil, err
	}
	f.recent.add(abs)
	return &Opened{Path: abs, Doc: fill(doc), Problems: f.problems(doc)}, nil
}

// Parse reads a flow from text (an imported file's content); name is used
// in error messages.
func (f *Flows) Parse(text, name string) (*Opened, error) {
	if name == "" {
		name = "flow"
	}
	doc, err := flow.Decode([]byte(text), name)
	if err != nil {
		return nil, err
	}
	return &Opened{Doc: fill(doc), Problems: f.problems(doc)}, nil
}

// Save writes the flow as YAML to path, atomically (a crash leaves the old
// file or the new one, never half of one).
func (f *Flows) Save(path string, doc *flow.Doc) (*Saved, error) {
	if doc == nil {
		return nil, errors.New("save flow: no flow given")
	}
	if path == "" {
		return nil, errors.New("save flow: no file name given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("save flow: %w", err)
	}
	if ext := filepath.Ext(abs); ext != ".yaml" && ext != ".yml" && ext != ".json" {
		abs += ".yaml"
	}
	var data []byte
	if filepath.Ext(abs) == ".json" {
		data, err = doc.EncodeJSON()
	} else {
		data, err = doc.EncodeYAML()
	}
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(abs, data); err != nil {
		return nil, fmt.Errorf("save flow %s: %w", abs, err)
	}
	f.recent.add(abs)
	return &Saved{Path: abs, Problems: f.problems(doc)}, nil
}

// Validate returns every problem of the flow; an empty list means it can run.
func (f *Flows) Validate(doc *flow.Doc) ([]flow.Problem, error) {
	if doc == nil {
		return nil, errors.New("validate flow: no flow given")
	}
	return f.problems(doc), nil
}

// Export returns the flow as YAML for a server, with the command that runs
// it; with a path it also writes the file there.
func (f *Flows) Export(doc *flow.Doc, path string) (*Exported, error) {
	if doc == nil {
		return nil, errors.New("export flow: no flow given")
	}
	data, err := doc.EncodeYAML()
	if err != nil {
		return nil, err
	}
	out := &Exported{YAML: string(data), Warnings: f.literalSecrets(doc)}
	file := doc.Name + ".yaml"
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("export flow: %w", err)
		}
		if err := writeAtomic(abs, data); err != nil {
			return nil, fmt.Errorf("export flow %s: %w", abs, err)
		}
		out.Path, file = abs, abs
	}
	out.Command = "sluice run " + shellQuote(file)
	return out, nil
}

// Recent returns the flows opened or saved lately, newest first.
func (f *Flows) Recent() ([]string, error) { return f.recent.list(), nil }

func (f *Flows) problems(doc *flow.Doc) []flow.Problem {
	ps := flow.Validate(doc, f.reg)
	if ps == nil {
		ps = []flow.Problem{}
	}
	return ps
}

// literalSecrets lists config fields marked secret whose value is set but
// is not a reference.
func (f *Flows) literalSecrets(doc *flow.Doc) []string {
	warn := []string{}
	for _, n := range doc.Nodes {
		spec, ok := f.reg.Lookup(n.Kind)
		if !ok {
			continue
		}
		var walk func(s *component.Schema, v any, path string)
		walk = func(s *component.Schema, v any, path string) {
			if s == nil {
				return
			}
			switch x := v.(type) {
			case string:
				if s.Secret && x != "" && !secret.Has(x) {
					warn = append(warn, fmt.Sprintf("node %q: %s holds a literal secret; use a reference such as ${env:NAME}", n.ID, path))
				}
			case map[string]any:
				keys := make([]string, 0, len(x))
				for k := range x {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					sub := s.Properties[k]
					if sub == nil {
						sub = s.Values
					}
					walk(sub, x[k], path+"."+k)
				}
			}
		}
		walk(spec.Config, map[string]any(n.Config), "config")
	}
	return warn
}

// fill gives a decoded document empty lists and maps instead of nil, so the
// frontend never meets null where it expects a list.
func fill(d *flow.Doc) *flow.Doc {
	if d.Nodes == nil {
		d.Nodes = []flow.Node{}
	}
	if d.Edges == nil {
		d.Edges = []flow.Edge{}
	}
	if d.Layout == nil {
		d.Layout = map[string]flow.Position{}
	}
	return d
}

func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@+-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// recentList is a small JSON file of recently used flow paths.
type recentList struct {
	mu   sync.Mutex
	path string
}

const recentMax = 10

func recentFile(dir string) *recentList { return &recentList{path: filepath.Join(dir, "recent.json")} }

func (r *recentList) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.read()
}

func (r *recentList) read() []string {
	out := []string{}
	b, err := os.ReadFile(r.path)
	if err != nil {
		return out
	}
	_ = json.Unmarshal(b, &out)
	return out
}

// add puts path first; failing to record it never fails the caller.
func (r *recentList) add(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := []string{path}
	for _, p := range r.read() {
		if p != path && len(list) < recentMax {
			list = append(list, p)
		}
	}
	b, _ := json.Marshal(list)
	_ = writeAtomic(r.path, b)
}
