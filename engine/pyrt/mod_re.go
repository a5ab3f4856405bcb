package pyrt

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

// The re module on Go's regexp (RE2): the same syntax for everything
// transforms usually need, named groups included, but no backreferences
// inside a pattern and no lookaround; those raise re.error.

// Flags, with CPython's values.
const (
	reI = 2
	reM = 8
	reS = 16
	reX = 64
	reA = 256
	reU = 32
)

var reError = ready(py.ValueError.NewType("error", "Exception raised for invalid regular expressions.", nil, nil))

type rePattern struct {
	src     string
	flags   int
	re      *regexp.Regexp // unanchored
	anchor  *regexp.Regexp // \A(?:...)
	full    *regexp.Regexp // \A(?:...)\z
	ngroups int
	order   keyOrder // the interpreter's, so groupdict() keeps group order
}

var patternType = ready(py.NewType("re.Pattern", "A compiled regular expression."))

func (p *rePattern) Type() *py.Type { return patternType }
func (p *rePattern) M__repr__() (py.Object, error) {
	return py.String("re.compile(" + quoteString(p.src) + ")"), nil
}

func (p *rePattern) M__getattr__(name string) (py.Object, error) {
	switch name {
	case "pattern":
		return py.String(p.src), nil
	case "flags":
		return py.Int(p.flags), nil
	case "groups":
		return py.Int(p.ngroups), nil
	case "groupindex":
		d := py.NewStringDict()
		for i, n := range p.re.SubexpNames() {
			if n != "" {
				d[n] = py.Int(i)
			}
		}
		return d, nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'re.Pattern' object has no attribute '%s'", name)
}

// translateRegexp converts Python regexp syntax to Go's.
func translateRegexp(src string, flags int) (string, error) {
	s := src
	if flags&reX != 0 {
		var b strings.Builder
		inClass := false
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\' && i+1 < len(s):
				b.WriteByte(c)
				b.WriteByte(s[i+1])
				i++
			case c == '[':
				inClass = true
				b.WriteByte(c)
			case c == ']':
				inClass = false
				b.WriteByte(c)
			case !inClass && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			case !inClass && c == '#':
				for i < len(s) && s[i] != '\n' {
					i++
				}
			default:
				b.WriteByte(c)
			}
		}
		s = b.String()
	}
	for _, bad := range []string{"(?=", "(?!", "(?<=", "(?<!", "(?P="} {
		if strings.Contains(s, bad) {
			return "", py.ExceptionNewf(reError, "lookaround and backreferences are not supported by this regexp engine: %s", src)
		}
	}
	s = strings.ReplaceAll(s, `\Z`, `\z`)
	prefix := ""
	if flags&reI != 0 {
		prefix += "i"
	}
	if flags&reM != 0 {
		prefix += "m"
	}
	if flags&reS != 0 {
		prefix += "s"
	}
	if prefix != "" {
		s = "(?" + prefix + ")" + s
	}
	return s, nil
}

func compilePattern(self py.Object, src string, flags int) (*rePattern, error) {
	var cache map[string]*rePattern
	var order keyOrder
	key := strconv.Itoa(flags) + "\x00" + src
	if sb := sandboxOf(self); sb != nil && sb.in != nil {
		if sb.in.reCache == nil {
			sb.in.reCache = map[string]*rePattern{}
		}
		cache = sb.in.reCache
		order = sb.in.order
		if p, ok := cache[key]; ok {
			return p, nil
		}
	}
	g, err := translateRegexp(src, flags)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(g)
	if err != nil {
		return nil, py.ExceptionNewf(reError, "%s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	p := &rePattern{src: src, flags: flags, re: re, ngroups: re.NumSubexp(), order: order,
		anchor: regexp.MustCompile(`\A(?:` + g + `)`), full: regexp.MustCompile(`\A(?:` + g + `)\z`)}
	if cache != nil && len(cache) < 256 {
		cache[key] = p
	}
	return p, nil
}

// patternArg accepts a compiled pattern or a pattern string.
func patternArg(self py.Object, o py.Object, flags py.Object) (*rePattern, error) {
	if p, ok := o.(*rePattern); ok {
		return p, nil
	}
	s, ok := o.(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "first argument must be string or compiled pattern")
	}
	f := 0
	if flags != nil && flags != py.None {
		n, err := intArg("re", flags)
		if err != nil {
			return nil, err
		}
		f = n
	}
	return compilePattern(self, string(s), f)
}

type reMatch struct {
	p   *rePattern
	s   string
	loc []int // byte offsets of the groups, -1 when unmatched
}

var matchType = ready(py.NewType("re.Match", "The result of a regexp match."))

func (m *reMatch) Type() *py.Type                { return matchType }
func (m *reMatch) M__bool__() (py.Object, error) { return py.True, nil }
func (m *reMatch) M__repr__() (py.Object, error) {
	st, en := m.span(0)
	return py.String("<re.Match object; span=(" + strconv.Itoa(st) + ", " + strconv.Itoa(en) + "), match=" + quoteString(m.s[m.loc[0]:m.loc[1]]) + ">"), nil
}
func (m *reMatch) M__getitem__(k py.Object) (py.Object, error) { return m.group(k) }

func (m *reMatch) M__getattr__(name string) (py.Object, error) {
	switch name {
	case "string":
		return py.String(m.s), nil
	case "re":
		return m.p, nil
	case "pos":
		return py.Int(0), nil
	case "endpos":
		return py.Int(utf8.RuneCountInString(m.s)), nil
	case "lastindex":
		last := -1
		for i := 1; i <= m.p.ngroups; i++ {
			if m.loc[2*i] >= 0 {
				last = i
			}
		}
		if last < 0 {
			return py.None, nil
		}
		return py.Int(last), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'re.Match' object has no attribute '%s'", name)
}

func (m *reMatch) index(k py.Object) (int, error) {
	switch x := k.(type) {
	case py.Int:
		if int(x) < 0 || int(x) > m.p.ngroups {
			return 0, py.ExceptionNewf(py.IndexError, "no such group")
		}
		return int(x), nil
	case py.String:
		i := m.p.re.SubexpIndex(string(x))
		if i < 0 {
			return 0, py.ExceptionNewf(py.IndexError, "no such group")
		}
		return i, nil
	}
	return 0, py.ExceptionNewf(py.IndexError, "no such group")
}

func (m *reMatch) group(k py.Object) (py.Object, error) {
	i, err := m.index(k)
	if err != nil {
		return nil, err
	}
	if m.loc[2*i] < 0 {
		return py.None, nil
	}
	return py.String(m.s[m.loc[2*i]:m.loc[2*i+1]]), nil
}

func (m *reMatch) span(i int) (int, int) {
	if m.loc[2*i] < 0 {
		return -1, -1
	}
	return runeIndex(m.s, m.loc[2*i]), runeIndex(m.s, m.loc[2*i+1])
}

func init() {
	matchType.Dict["group"] = method("group", func(self py.Object, args py.Tuple) (py.Object, error) {
		m := self.(*reMatch)
		if len(args) == 0 {
			return m.group(py.Int(0))
		}
		if len(args) == 1 {
			return m.group(args[0])
		}
		out := make(py.Tuple, len(args))
		for i, a := range args {
			g, err := m.group(a)
			if err != nil {
				return nil, err
			}
			out[i] = g
		}
		return out, nil
	})
	matchType.Dict["groups"] = method("groups", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("groups", args, kwargs, 0, "default")
		if err != nil {
			return nil, err
		}
		m := self.(*reMatch)
		out := make(py.Tuple, m.p.ngroups)
		for i := range out {
			g, _ := m.group(py.Int(i + 1))
			if g == py.None && a[0] != nil {
				g = a[0]
			}
			out[i] = g
		}
		return out, nil
	})
	matchType.Dict["groupdict"] = method("groupdict", func(self py.Object, args py.Tuple) (py.Object, error) {
		m := self.(*reMatch)
		d := py.NewStringDict()
		var names []string
		for i, n := range m.p.re.SubexpNames() {
			if n != "" {
				g, _ := m.group(py.Int(i))
				if g == py.None && len(args) > 0 {
					g = args[0]
				}
				d[n] = g
				names = append(names, n)
			}
		}
		if m.p.order != nil && len(names) > 1 {
			m.p.order.set(d, names)
		}
		return d, nil
	})
	pos := func(name string, which int) {
		matchType.Dict[name] = method(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			m := self.(*reMatch)
			var k py.Object = py.Int(0)
			if len(args) > 0 {
				k = args[0]
			}
			i, err := m.index(k)
			if err != nil {
				return nil, err
			}
			st, en := m.span(i)
			switch which {
			case 0:
				return py.Int(st), nil
			case 1:
				return py.Int(en), nil
			}
			return py.Tuple{py.Int(st), py.Int(en)}, nil
		})
	}
	pos("start", 0)
	pos("end", 1)
	pos("span", 2)
	matchType.Dict["expand"] = method("expand", func(self, tmpl py.Object) (py.Object, error) {
		m := self.(*reMatch)
		t, err := strArg("expand", tmpl)
		if err != nil {
			return nil, err
		}
		return expandTemplate(m, t)
	})

	fn := func(name string, do func(self py.Object, p *rePattern, a []py.Object) (py.Object, error), names ...string) (*py.Method, *py.Method) {
		mod := method(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			all := append([]string{"pattern"}, names...)
			all = append(all, "flags")
			a, err := bindArgs(name, args, kwargs, 2, all...)
			if err != nil {
				return nil, err
			}
			p, err := patternArg(self, a[0], a[len(a)-1])
			if err != nil {
				return nil, err
			}
			return do(self, p, a[1:len(a)-1])
		})
		meth := method(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs(name, args, kwargs, 1, names...)
			if err != nil {
				return nil, err
			}
			return do(self, self.(*rePattern), a)
		})
		return mod, meth
	}
	matcher := func(which int) func(py.Object, *rePattern, []py.Object) (py.Object, error) {
		return func(_ py.Object, p *rePattern, a []py.Object) (py.Object, error) {
			s, err := strArg("match", a[0])
			if err != nil {
				return nil, err
			}
			re := p.re
			switch which {
			case 1:
				re = p.anchor
			case 2:
				re = p.full
			}
			loc := re.FindStringSubmatchIndex(s)
			if loc == nil {
				return py.None, nil
			}
			return &reMatch{p: p, s: s, loc: loc}, nil
		}
	}
	var methods []*py.Method
	add := func(name string, do func(py.Object, *rePattern, []py.Object) (py.Object, error), names ...string) {
		mod, meth := fn(name, do, names...)
		methods = append(methods, mod)
		patternType.Dict[name] = meth
	}
	add("search", matcher(0), "string")
	add("match", matcher(1), "string")
	add("fullmatch", matcher(2), "string")
	add("findall", func(_ py.Object, p *rePattern, a []py.Object) (py.Object, error) {
		s, err := strArg("findall", a[0])
		if err != nil {
			return nil, err
		}
		var out []py.Object
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			m := &reMatch{p: p, s: s, loc: loc}
			switch p.ngroups {
			case 0:
				out = append(out, py.String(s[loc[0]:loc[1]]))
			case 1:
				g, _ := m.group(py.Int(1))
				if g == py.None {
					g = py.String("")
				}
				out = append(out, g)
			default:
				t := make(py.Tuple, p.ngroups)
				for i := range t {
					g, _ := m.group(py.Int(i + 1))
					if g == py.None {
						g = py.String("")
					}
					t[i] = g
				}
				out = append(out, t)
			}
		}
		return py.NewListFromItems(out), nil
	}, "string")
	add("finditer", func(_ py.Object, p *rePattern, a []py.Object) (py.Object, error) {
		s, err := strArg("finditer", a[0])
		if err != nil {
			return nil, err
		}
		var out py.Tuple
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			out = append(out, &reMatch{p: p, s: s, loc: loc})
		}
		return py.NewIterator(out), nil
	}, "string")
	subn := func(p *rePattern, a []py.Object) (string, int, error) {
		s, err := strArg("sub", a[1])
		if err != nil {
			return "", 0, err
		}
		count := 0
		if a[2] != nil {
			if count, err = intArg("sub", a[2]); err != nil {
				return "", 0, err
			}
		}
		var tmpl string
		callable := false
		if t, ok := a[0].(py.String); ok {
			tmpl = string(t)
		} else {
			callable = true
		}
		var b strings.Builder
		last, n := 0, 0
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			if count > 0 && n >= count {
				break
			}
			b.WriteString(s[last:loc[0]])
			m := &reMatch{p: p, s: s, loc: loc}
			var rep py.Object
			if callable {
				rep, err = py.Call(a[0], py.Tuple{m}, nil)
			} else {
				rep, err = expandTemplate(m, tmpl)
			}
			if err != nil {
				return "", 0, err
			}
			rs, ok := rep.(py.String)
			if !ok {
				return "", 0, py.ExceptionNewf(py.TypeError, "expected str instance, %s found", rep.Type().Name)
			}
			b.WriteString(string(rs))
			last = loc[1]
			n++
		}
		b.WriteString(s[last:])
		return b.String(), n, nil
	}
	add("sub", func(_ py.Object, p *rePattern, a []py.Object) (py.Object, error) {
		s, _, err := subn(p, a)
		return py.String(s), err
	}, "repl", "string", "count")
	add("subn", func(_ py.Object, p *rePattern, a []py.Object) (py.Object, error) {
		s, n, err := subn(p, a)
		return py.Tuple{py.String(s), py.Int(n)}, err
	}, "repl", "string", "count")
	add("split", func(_ py.Object, p *rePattern, a []py.Object) (py.Object, error) {
		s, err := strArg("split", a[0])
		if err != nil {
			return nil, err
		}
		max := 0
		if a[1] != nil {
			if max, err = intArg("split", a[1]); err != nil {
				return nil, err
			}
		}
		var out []py.Object
		last, n := 0, 0
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			if max > 0 && n >= max {
				break
			}
			if loc[1] == loc[0] && (loc[0] == 0 || loc[0] == len(s)) {
				continue
			}
			out = append(out, py.String(s[last:loc[0]]))
			m := &reMatch{p: p, s: s, loc: loc}
			for i := 1; i <= p.ngroups; i++ {
				g, _ := m.group(py.Int(i))
				out = append(out, g)
			}
			last = loc[1]
			n++
		}
		out = append(out, py.String(s[last:]))
		return py.NewListFromItems(out), nil
	}, "string", "maxsplit")
	methods = append(methods,
		method("compile", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("compile", args, kwargs, 1, "pattern", "flags")
			if err != nil {
				return nil, err
			}
			return patternArg(self, a[0], a[1])
		}),
		method("escape", func(_, o py.Object) (py.Object, error) {
			s, err := strArg("escape", o)
			if err != nil {
				return nil, err
			}
			var b strings.Builder
			for _, r := range s {
				if r < 0x80 && !(r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			return py.String(b.String()), nil
		}),
	)
	registerModule("re", "Regular expressions on Go's RE2 engine: no lookaround, no backreferences in patterns.", methods, py.StringDict{
		"I": py.Int(reI), "IGNORECASE": py.Int(reI), "M": py.Int(reM), "MULTILINE": py.Int(reM),
		"S": py.Int(reS), "DOTALL": py.Int(reS), "X": py.Int(reX), "VERBOSE": py.Int(reX),
		"A": py.Int(reA), "ASCII": py.Int(reA), "U": py.Int(reU), "UNICODE": py.Int(reU),
		"error": reError,
	}, "")
}

// expandTemplate substitutes \1, \g<1>, \g<name> and escapes in a
// replacement string.
func expandTemplate(m *reMatch, t string) (py.Object, error) {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c != '\\' || i+1 >= len(t) {
			b.WriteByte(c)
			continue
		}
		i++
		d := t[i]
		switch {
		case d >= '0' && d <= '9':
			j := i + 1
			if j < len(t) && t[j] >= '0' && t[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(t[i:j])
			g, err := m.group(py.Int(n))
			if err != nil {
				return nil, py.ExceptionNewf(reError, "invalid group reference %d", n)
			}
			if g != py.None {
				b.WriteString(string(g.(py.String)))
			}
			i = j - 1
		case d == 'g' && i+1 < len(t) && t[i+1] == '<':
			k := strings.IndexByte(t[i:], '>')
			if k < 0 {
				return nil, py.ExceptionNewf(reError, "missing >, unterminated name")
			}
			name := t[i+2 : i+k]
			var key py.Object = py.String(name)
			if n, err := strconv.Atoi(name); err == nil {
				key = py.Int(n)
			}
			g, err := m.group(key)
			if err != nil {
				return nil, py.ExceptionNewf(reError, "unknown group name '%s'", name)
			}
			if g != py.None {
				b.WriteString(string(g.(py.String)))
			}
			i += k
		case d == 'n':
			b.WriteByte('\n')
		case d == 't':
			b.WriteByte('\t')
		case d == 'r':
			b.WriteByte('\r')
		case d == '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(d)
		}
	}
	return py.String(b.String()), nil
}
