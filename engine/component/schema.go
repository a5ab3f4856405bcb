package component

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sluice-etl/sluice/engine/schedule"
	"github.com/sluice-etl/sluice/engine/secret"
)

// Schema is the subset of JSON Schema that node configs use. It marshals to
// standard JSON Schema (draft 2020-12 keywords) plus a few "x-" hints for
// forms: x-order (field order), x-secret (may hold a secret reference) and
// x-widget (e.g. "code" for a code editor).
type Schema struct {
	Type        string             `json:"type,omitempty"` // object, string, integer, number, boolean, array; empty: any
	Title       string             `json:"title,omitempty"`
	Description string             `json:"description,omitempty"`
	Default     any                `json:"default,omitempty"`
	Examples    []any              `json:"examples,omitempty"`
	Enum        []any              `json:"enum,omitempty"`
	Properties  map[string]*Schema `json:"properties,omitempty"`
	Required    []string           `json:"required,omitempty"`
	// Values, when set on an object, is the schema of every value of a
	// free-form map (JSON Schema's additionalProperties). An object without
	// Values accepts only its Properties.
	Values    *Schema  `json:"-"`
	Items     *Schema  `json:"items,omitempty"`
	Minimum   *float64 `json:"minimum,omitempty"`
	Maximum   *float64 `json:"maximum,omitempty"`
	MinLength *int     `json:"minLength,omitempty"`
	MinItems  *int     `json:"minItems,omitempty"`
	Pattern   string   `json:"pattern,omitempty"`
	// Format: duration, cron, uri, timezone, or free text for forms.
	Format string   `json:"format,omitempty"`
	Order  []string `json:"x-order,omitempty"`
	Secret bool     `json:"x-secret,omitempty"`
	Widget string   `json:"x-widget,omitempty"`
}

// MarshalJSON adds additionalProperties so that the output is a standard,
// closed JSON Schema.
func (s *Schema) MarshalJSON() ([]byte, error) {
	type plain Schema
	out := struct {
		*plain
		AdditionalProperties any `json:"additionalProperties,omitempty"`
	}{plain: (*plain)(s)}
	if s.Type == "object" {
		if s.Values != nil {
			out.AdditionalProperties = s.Values
		} else if s.Properties != nil {
			out.AdditionalProperties = false
		}
	}
	return json.Marshal(out)
}

// Object builds an object schema whose field order is the order given.
func Object(fields ...Field) *Schema {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	for _, f := range fields {
		s.Properties[f.Name] = f.Schema
		s.Order = append(s.Order, f.Name)
		if f.Required {
			s.Required = append(s.Required, f.Name)
		}
	}
	return s
}

// Field is one property of an Object.
type Field struct {
	Name     string
	Required bool
	Schema   *Schema
}

// Problem is one thing wrong with a config value. Field is a dotted path
// inside the config ("headers.Authorization", "retry.initial").
type Problem struct {
	Field   string
	Message string
}

// Float is a helper for Minimum/Maximum.
func Float(f float64) *float64 { return &f }

// Int is a helper for MinLength/MinItems.
func Int(i int) *int { return &i }

// Validate checks v against the schema and returns every problem found.
func (s *Schema) Validate(v any) []Problem {
	var ps []Problem
	s.validate(v, "", &ps)
	return ps
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, uint64, float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func (s *Schema) validate(v any, path string, ps *[]Problem) {
	add := func(format string, args ...any) {
		*ps = append(*ps, Problem{Field: path, Message: fmt.Sprintf(format, args...)})
	}
	if s == nil {
		return
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			add("must be a map of fields, not %s", typeName(v))
			return
		}
		for _, r := range s.Required {
			if x, ok := m[r]; !ok || x == nil {
				*ps = append(*ps, Problem{Field: join(path, r), Message: "is required"})
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := s.Properties[k]; ok {
				if m[k] != nil {
					p.validate(m[k], join(path, k), ps)
				}
				continue
			}
			if s.Values != nil {
				s.Values.validate(m[k], join(path, k), ps)
				continue
			}
			if s.Properties != nil {
				msg := "unknown field"
				if len(s.Order) > 0 {
					msg += "; known fields are " + strings.Join(s.Order, ", ")
				}
				*ps = append(*ps, Problem{Field: join(path, k), Message: msg})
			}
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			add("must be a list, not %s", typeName(v))
			return
		}
		if s.MinItems != nil && len(l) < *s.MinItems {
			add("must have at least %d items", *s.MinItems)
		}
		if s.Items != nil {
			for i, x := range l {
				s.Items.validate(x, fmt.Sprintf("%s[%d]", path, i), ps)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			add("must be a string, not %s", typeName(v))
			return
		}
		if s.MinLength != nil && len(str) < *s.MinLength {
			if *s.MinLength == 1 {
				add("must not be empty")
			} else {
				add("must be at least %d characters", *s.MinLength)
			}
		}
		if err := secret.Check(str); err != nil {
			add("%v", err)
			return
		}
		if secret.Has(str) {
			return // checked again once resolved, at run time
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(str) {
				add("%q does not match the pattern %s", str, s.Pattern)
			}
		}
		if err := checkFormat(s.Format, str); err != nil {
			add("%v", err)
		}
	case "integer", "number":
		f, ok := asFloat(v)
		if !ok {
			add("must be a number, not %s", typeName(v))
			return
		}
		if s.Type == "integer" && f != math.Trunc(f) {
			add("must be a whole number, not %v", f)
		}
		if s.Minimum != nil && f < *s.Minimum {
			add("must be at least %v", *s.Minimum)
		}
		if s.Maximum != nil && f > *s.Maximum {
			add("must be at most %v", *s.Maximum)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			add("must be true or false, not %s", typeName(v))
		}
	}
	if len(s.Enum) > 0 && !inEnum(s.Enum, v) {
		var opts []string
		for _, e := range s.Enum {
			opts = append(opts, fmt.Sprint(e))
		}
		add("must be one of %s, not %v", strings.Join(opts, ", "), v)
	}
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

func checkFormat(format, s string) error {
	switch format {
	case "duration":
		if _, err := time.ParseDuration(s); err != nil {
			return fmt.Errorf("%q is not a duration (use e.g. 500ms, 30s, 10m, 2h)", s)
		}
	case "cron":
		if _, err := schedule.Parse(s); err != nil {
			return err
		}
	case "timezone":
		if _, err := time.LoadLocation(s); err != nil {
			return fmt.Errorf("unknown time zone %q (use an IANA name such as Europe/Berlin)", s)
		}
	case "uri":
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("%q is not an absolute URL", s)
		}
	}
	return nil
}

// ApplyDefaults returns a copy of cfg with the defaults of every missing
// top-level and nested object field filled in.
func (s *Schema) ApplyDefaults(cfg map[string]any) map[string]any {
	out := make(map[string]any, len(s.Properties))
	for k, v := range cfg {
		out[k] = v
	}
	for name, p := range s.Properties {
		v, ok := out[name]
		if (!ok || v == nil) && p.Default != nil {
			out[name] = p.Default
			continue
		}
		if m, isMap := v.(map[string]any); isMap && p.Type == "object" && p.Properties != nil {
			out[name] = p.ApplyDefaults(m)
		}
	}
	return out
}
