// Package secret resolves secret references in config strings:
// ${env:NAME} reads an environment variable and ${file:PATH} reads a file
// (trailing newline trimmed). References are resolved only when a flow is
// run; the flow document keeps the references and never the values.
package secret

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

var ref = regexp.MustCompile(`\$\{([a-z]+):([^}]*)\}`)

// Has reports whether s contains a secret reference.
func Has(s string) bool { return strings.Contains(s, "${") && ref.MatchString(s) }

// Check reports a malformed reference: an unknown scheme, an empty name, or
// an unclosed "${".
func Check(s string) error {
	for _, m := range ref.FindAllStringSubmatch(s, -1) {
		switch m[1] {
		case "env", "file":
		default:
			return fmt.Errorf("unknown secret reference ${%s:...}: use ${env:NAME} or ${file:PATH}", m[1])
		}
		if strings.TrimSpace(m[2]) == "" {
			return fmt.Errorf("secret reference ${%s:} names nothing", m[1])
		}
	}
	rest := ref.ReplaceAllString(s, "")
	if i := strings.Index(rest, "${"); i >= 0 && !strings.Contains(rest[i:], "}") {
		return fmt.Errorf("unclosed secret reference in %q", s)
	}
	return nil
}

// Resolver looks secret references up. The zero value reads the process
// environment and the file system.
type Resolver struct {
	// Env, when set, replaces os.LookupEnv.
	Env func(string) (string, bool)
}

// Resolve replaces every reference in s by its value.
func (r Resolver) Resolve(s string) (string, error) {
	if !Has(s) {
		return s, nil
	}
	var firstErr error
	out := ref.ReplaceAllStringFunc(s, func(m string) string {
		p := ref.FindStringSubmatch(m)
		switch p[1] {
		case "env":
			look := os.LookupEnv
			if r.Env != nil {
				look = r.Env
			}
			v, ok := look(p[2])
			if !ok && firstErr == nil {
				firstErr = fmt.Errorf("environment variable %s is not set", p[2])
			}
			return v
		case "file":
			b, err := os.ReadFile(p[2])
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("read secret file: %w", err)
			}
			return strings.TrimRight(string(b), "\r\n")
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("unknown secret reference %s", m)
		}
		return m
	})
	return out, firstErr
}

// ResolveAll returns a deep copy of v with every string resolved. The error
// names the dotted path of the first field that failed.
func (r Resolver) ResolveAll(v any) (any, error) {
	return r.walk(v, "")
}

func (r Resolver) walk(v any, path string) (any, error) {
	switch x := v.(type) {
	case string:
		s, err := r.Resolve(x)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return s, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			rv, err := r.walk(e, p)
			if err != nil {
				return nil, err
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			rv, err := r.walk(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = rv
		}
		return out, nil
	}
	return v, nil
}
