package component

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Spec describes a node kind: what the designer shows, the schema its config
// must follow, and how to build it. One file per kind holds its Spec and
// registers it in init().
type Spec struct {
	Kind     string   `json:"kind"`
	Category Category `json:"category"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	// Doc is longer Markdown documentation for docs/nodes.md.
	Doc    string  `json:"doc,omitempty"`
	Config *Schema `json:"config"`

	// Check, optional, finds problems the schema cannot express (fields
	// that depend on each other). It gets the config with defaults applied
	// and must be pure and fast.
	Check func(cfg map[string]any) []Problem `json:"-"`

	// Exactly the constructor of the Spec's category is set.
	NewSource      func(Params) (Source, error)      `json:"-"`
	NewTransform   func(Params) (Transform, error)   `json:"-"`
	NewDestination func(Params) (Destination, error) `json:"-"`
}

// Registry holds node kinds by name. It is a value: the runner uses Default,
// tests build their own with only what they need.
type Registry struct {
	mu    sync.RWMutex
	specs map[string]*Spec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{specs: map[string]*Spec{}} }

// Default is the registry node packages register into from init().
var Default = NewRegistry()

var kindName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Register adds a kind. It refuses a malformed spec or a duplicate kind.
func (r *Registry) Register(s Spec) error {
	if !kindName.MatchString(s.Kind) {
		return fmt.Errorf("register kind %q: kind must be lower case letters, digits and _", s.Kind)
	}
	if s.Config == nil || s.Config.Type != "object" {
		return fmt.Errorf("register kind %q: config schema must be an object", s.Kind)
	}
	var ok bool
	switch s.Category {
	case CategorySource:
		ok = s.NewSource != nil && s.NewTransform == nil && s.NewDestination == nil
	case CategoryTransform:
		ok = s.NewTransform != nil && s.NewSource == nil && s.NewDestination == nil
	case CategoryDestination:
		ok = s.NewDestination != nil && s.NewSource == nil && s.NewTransform == nil
	default:
		return fmt.Errorf("register kind %q: unknown category %q", s.Kind, s.Category)
	}
	if !ok {
		return fmt.Errorf("register kind %q: a %s needs exactly its own constructor", s.Kind, s.Category)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.specs[s.Kind]; dup {
		return fmt.Errorf("register kind %q: already registered", s.Kind)
	}
	r.specs[s.Kind] = &s
	return nil
}

// MustRegister is Register for init(): it panics on a programming error.
func (r *Registry) MustRegister(s Spec) {
	if err := r.Register(s); err != nil {
		panic(err)
	}
}

// Lookup returns the spec of a kind.
func (r *Registry) Lookup(kind string) (*Spec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.specs[kind]
	return s, ok
}

var categoryOrder = map[Category]int{CategorySource: 0, CategoryTransform: 1, CategoryDestination: 2}

// Specs returns every kind, sources first, then transforms, then
// destinations, each group by kind name.
func (r *Registry) Specs() []*Spec {
	r.mu.RLock()
	out := make([]*Spec, 0, len(r.specs))
	for _, s := range r.specs {
		out = append(out, s)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		ci, cj := categoryOrder[out[i].Category], categoryOrder[out[j].Category]
		if ci != cj {
			return ci < cj
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// CheckConfig validates a node config against its kind: the schema, then
// the kind's own Check on the config with defaults applied.
func (s *Spec) CheckConfig(cfg map[string]any) []Problem {
	if cfg == nil {
		cfg = map[string]any{}
	}
	ps := s.Config.Validate(cfg)
	if len(ps) == 0 && s.Check != nil {
		ps = append(ps, s.Check(s.Config.ApplyDefaults(cfg))...)
	}
	return ps
}
