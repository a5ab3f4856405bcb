package pyrt

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Methods gpython's str lacks, added to py.StringType through its public
// Dict. They are installed once by init; gpython's types are global.

func init() {
	patchStr()
	patchContainers()
}

func setMethod(t *py.Type, name string, fn any) {
	t.Dict[name] = py.MustNewMethod(name, fn, 0, "")
}

// args binds positional and keyword arguments to names; names after the
// first min are optional (nil when absent).
func bindArgs(fname string, args py.Tuple, kwargs py.StringDict, min int, names ...string) ([]py.Object, error) {
	if len(args) > len(names) {
		return nil, py.ExceptionNewf(py.TypeError, "%s() takes at most %d arguments (%d given)", fname, len(names), len(args))
	}
	out := make([]py.Object, len(names))
	copy(out, args)
	for k, v := range kwargs {
		found := false
		for i, n := range names {
			if n == k {
				if out[i] != nil {
					return nil, py.ExceptionNewf(py.TypeError, "%s() got multiple values for argument '%s'", fname, k)
				}
				out[i] = v
				found = true
				break
			}
		}
		if !found {
			return nil, py.ExceptionNewf(py.TypeError, "%s() got an unexpected keyword argument '%s'", fname, k)
		}
	}
	for i := 0; i < min; i++ {
		if out[i] == nil {
			return nil, py.ExceptionNewf(py.TypeError, "%s() missing required argument '%s'", fname, names[i])
		}
	}
	return out, nil
}

func strArg(fname string, o py.Object) (string, error) {
	s, ok := o.(py.String)
	if !ok {
		return "", py.ExceptionNewf(py.TypeError, "%s() argument must be str, not %s", fname, o.Type().Name)
	}
	return string(s), nil
}

func intArg(fname string, o py.Object) (int, error) {
	switch x := o.(type) {
	case py.Int:
		return int(x), nil
	case py.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	n, err := py.IndexInt(o)
	if err != nil {
		return 0, py.ExceptionNewf(py.TypeError, "%s() argument must be int, not %s", fname, o.Type().Name)
	}
	return n, nil
}

func strMap(name string, f func(string) string) {
	setMethod(py.StringType, name, func(self py.Object) (py.Object, error) {
		return py.String(f(string(self.(py.String)))), nil
	})
}

func strPred(name string, empty bool, f func(rune) bool) {
	setMethod(py.StringType, name, func(self py.Object) (py.Object, error) {
		s := string(self.(py.String))
		if s == "" {
			return py.NewBool(empty), nil
		}
		for _, r := range s {
			if !f(r) {
				return py.False, nil
			}
		}
		return py.True, nil
	})
}

// sliceIndices resolves start and end like str.find does, in runes.
func runeBounds(s string, start, end py.Object) (string, int, error) {
	n := utf8.RuneCountInString(s)
	lo, hi := 0, n
	if start != nil && start != py.None {
		v, err := intArg("find", start)
		if err != nil {
			return "", 0, err
		}
		lo = clampIndex(v, n)
	}
	if end != nil && end != py.None {
		v, err := intArg("find", end)
		if err != nil {
			return "", 0, err
		}
		hi = clampIndex(v, n)
	}
	if lo > hi {
		return "", -1, nil
	}
	rs := []rune(s)
	return string(rs[lo:hi]), lo, nil
}

func clampIndex(v, n int) int {
	if v < 0 {
		v += n
		if v < 0 {
			v = 0
		}
	}
	if v > n {
		v = n
	}
	return v
}

func runeIndex(s string, byteIdx int) int { return utf8.RuneCountInString(s[:byteIdx]) }

// fullCase maps case as CPython does, with the full Unicode mappings
// ("ß".upper() is "SS"), which Go's strings package does not apply; ASCII
// text, the usual case, takes the fast path. A Caser holds state, so each
// call makes its own.
func fullCase(ascii func(string) string, caser func() cases.Caser) func(string) string {
	return func(s string) string {
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return caser().String(s)
			}
		}
		return ascii(s)
	}
}

// expandTabs is str.expandtabs: each tab advances to the next multiple of
// size columns, counted from the last newline.
func expandTabs(s string, size int) string {
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			if size > 0 {
				n := size - col%size
				b.WriteString(strings.Repeat(" ", n))
				col += n
			}
		case '\n', '\r':
			b.WriteRune(r)
			col = 0
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

func patchStr() {
	t := py.StringType
	strMap("lower", fullCase(strings.ToLower, func() cases.Caser { return cases.Lower(language.Und) }))
	strMap("upper", fullCase(strings.ToUpper, func() cases.Caser { return cases.Upper(language.Und) }))
	strMap("casefold", fullCase(strings.ToLower, func() cases.Caser { return cases.Fold() }))
	strMap("swapcase", func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsUpper(r) {
				return unicode.ToLower(r)
			}
			return unicode.ToUpper(r)
		}, s)
	})
	strMap("title", titleOf)
	strMap("capitalize", func(s string) string {
		if s == "" {
			return s
		}
		r, n := utf8.DecodeRuneInString(s)
		return string(unicode.ToTitle(r)) + strings.ToLower(s[n:])
	})
	strPred("isdigit", false, unicode.IsDigit)
	strPred("isdecimal", false, unicode.IsDigit)
	strPred("isnumeric", false, func(r rune) bool { return unicode.IsNumber(r) })
	strPred("isalpha", false, unicode.IsLetter)
	strPred("isalnum", false, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) })
	strPred("isspace", false, unicode.IsSpace)
	strPred("isascii", true, func(r rune) bool { return r < 0x80 })
	strPred("isprintable", true, unicode.IsPrint)
	// isupper: some cased letter and none lower; islower the reverse.
	cased := func(name string, is, isNot func(rune) bool) {
		setMethod(t, name, func(self py.Object) (py.Object, error) {
			found := false
			for _, r := range string(self.(py.String)) {
				if isNot(r) {
					return py.False, nil
				}
				found = found || is(r)
			}
			return py.NewBool(found), nil
		})
	}
	cased("isupper", unicode.IsUpper, unicode.IsLower)
	cased("islower", unicode.IsLower, unicode.IsUpper)
	setMethod(t, "istitle", func(self py.Object) (py.Object, error) {
		s := string(self.(py.String))
		return py.NewBool(s != "" && strings.ToLower(s) != s && titleOf(s) == s), nil
	})
	setMethod(t, "isidentifier", func(self py.Object) (py.Object, error) {
		s := string(self.(py.String))
		if s == "" {
			return py.False, nil
		}
		for i, r := range s {
			if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
				return py.False, nil
			}
		}
		return py.True, nil
	})
	setMethod(t, "join", func(self, it py.Object) (py.Object, error) {
		return strJoin(self.(py.String), it)
	})
	setMethod(t, "zfill", func(self, w py.Object) (py.Object, error) {
		s := string(self.(py.String))
		width, err := intArg("zfill", w)
		if err != nil {
			return nil, err
		}
		n := utf8.RuneCountInString(s)
		if n >= width {
			return self, nil
		}
		sign := ""
		if s != "" && (s[0] == '-' || s[0] == '+') {
			sign, s = s[:1], s[1:]
		}
		return py.String(sign + strings.Repeat("0", width-n) + s), nil
	})
	pad := func(name string, f func(s string, n int, fill string) string) {
		setMethod(t, name, func(self py.Object, args py.Tuple) (py.Object, error) {
			a, err := bindArgs(name, args, nil, 1, "width", "fillchar")
			if err != nil {
				return nil, err
			}
			width, err := intArg(name, a[0])
			if err != nil {
				return nil, err
			}
			fill := " "
			if a[1] != nil {
				if fill, err = strArg(name, a[1]); err != nil {
					return nil, err
				}
				if utf8.RuneCountInString(fill) != 1 {
					return nil, py.ExceptionNewf(py.TypeError, "The fill character must be exactly one character long")
				}
			}
			s := string(self.(py.String))
			n := width - utf8.RuneCountInString(s)
			if n <= 0 {
				return self, nil
			}
			return py.String(f(s, n, fill)), nil
		})
	}
	pad("ljust", func(s string, n int, fill string) string { return s + strings.Repeat(fill, n) })
	pad("rjust", func(s string, n int, fill string) string { return strings.Repeat(fill, n) + s })
	pad("center", func(s string, n int, fill string) string {
		width := n + utf8.RuneCountInString(s)
		left := n/2 + (n & width & 1) // CPython's rule for the odd fill
		return strings.Repeat(fill, left) + s + strings.Repeat(fill, n-left)
	})
	part := func(name string, last bool) {
		setMethod(t, name, func(self, sepO py.Object) (py.Object, error) {
			sep, err := strArg(name, sepO)
			if err != nil {
				return nil, err
			}
			if sep == "" {
				return nil, py.ExceptionNewf(py.ValueError, "empty separator")
			}
			s := string(self.(py.String))
			var i int
			if last {
				i = strings.LastIndex(s, sep)
			} else {
				i = strings.Index(s, sep)
			}
			if i < 0 {
				if last {
					return py.Tuple{py.String(""), py.String(""), self}, nil
				}
				return py.Tuple{self, py.String(""), py.String("")}, nil
			}
			return py.Tuple{py.String(s[:i]), py.String(sep), py.String(s[i+len(sep):])}, nil
		})
	}
	part("partition", false)
	part("rpartition", true)
	find := func(name string, last, raise bool) {
		setMethod(t, name, func(self py.Object, args py.Tuple) (py.Object, error) {
			a, err := bindArgs(name, args, nil, 1, "sub", "start", "end")
			if err != nil {
				return nil, err
			}
			sub, err := strArg(name, a[0])
			if err != nil {
				return nil, err
			}
			s, off, err := runeBounds(string(self.(py.String)), a[1], a[2])
			if err != nil {
				return nil, err
			}
			i := -1
			if off >= 0 {
				if last {
					i = strings.LastIndex(s, sub)
				} else {
					i = strings.Index(s, sub)
				}
			}
			if i < 0 {
				if raise {
					return nil, py.ExceptionNewf(py.ValueError, "substring not found")
				}
				return py.Int(-1), nil
			}
			return py.Int(off + runeIndex(s, i)), nil
		})
	}
	find("find", false, false)
	find("rfind", true, false)
	find("index", false, true)
	find("rindex", true, true)
	setMethod(t, "count", func(self py.Object, args py.Tuple) (py.Object, error) {
		a, err := bindArgs("count", args, nil, 1, "sub", "start", "end")
		if err != nil {
			return nil, err
		}
		sub, err := strArg("count", a[0])
		if err != nil {
			return nil, err
		}
		s, off, err := runeBounds(string(self.(py.String)), a[1], a[2])
		if err != nil {
			return nil, err
		}
		if off < 0 {
			return py.Int(0), nil
		}
		if sub == "" {
			return py.Int(utf8.RuneCountInString(s) + 1), nil
		}
		return py.Int(strings.Count(s, sub)), nil
	})
	affix := func(name string, prefix bool) {
		setMethod(t, name, func(self py.Object, args py.Tuple) (py.Object, error) {
			a, err := bindArgs(name, args, nil, 1, "affix", "start", "end")
			if err != nil {
				return nil, err
			}
			s, off, err := runeBounds(string(self.(py.String)), a[1], a[2])
			if err != nil {
				return nil, err
			}
			if off < 0 {
				return py.False, nil
			}
			var cands []py.Object
			if tup, ok := a[0].(py.Tuple); ok {
				cands = tup
			} else {
				cands = []py.Object{a[0]}
			}
			for _, c := range cands {
				x, err := strArg(name, c)
				if err != nil {
					return nil, err
				}
				if (prefix && strings.HasPrefix(s, x)) || (!prefix && strings.HasSuffix(s, x)) {
					return py.True, nil
				}
			}
			return py.False, nil
		})
	}
	affix("startswith", true)
	affix("endswith", false)
	setMethod(t, "removeprefix", func(self, p py.Object) (py.Object, error) {
		x, err := strArg("removeprefix", p)
		if err != nil {
			return nil, err
		}
		return py.String(strings.TrimPrefix(string(self.(py.String)), x)), nil
	})
	setMethod(t, "removesuffix", func(self, p py.Object) (py.Object, error) {
		x, err := strArg("removesuffix", p)
		if err != nil {
			return nil, err
		}
		return py.String(strings.TrimSuffix(string(self.(py.String)), x)), nil
	})
	strip := func(name string, f func(string, string) string, ws func(string) string) {
		setMethod(t, name, func(self py.Object, args py.Tuple) (py.Object, error) {
			a, err := bindArgs(name, args, nil, 0, "chars")
			if err != nil {
				return nil, err
			}
			s := string(self.(py.String))
			if a[0] == nil || a[0] == py.None {
				return py.String(ws(s)), nil
			}
			chars, err := strArg(name, a[0])
			if err != nil {
				return nil, err
			}
			return py.String(f(s, chars)), nil
		})
	}
	strip("strip", strings.Trim, strings.TrimSpace)
	strip("lstrip", strings.TrimLeft, func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) })
	strip("rstrip", strings.TrimRight, func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) })
	split := func(name string, right bool) {
		setMethod(t, name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs(name, args, kwargs, 0, "sep", "maxsplit")
			if err != nil {
				return nil, err
			}
			s := string(self.(py.String))
			max := -1
			if a[1] != nil {
				if max, err = intArg(name, a[1]); err != nil {
					return nil, err
				}
			}
			var parts []string
			if a[0] == nil || a[0] == py.None {
				parts = splitWhitespace(s, max, right)
			} else {
				sep, err := strArg(name, a[0])
				if err != nil {
					return nil, err
				}
				if sep == "" {
					return nil, py.ExceptionNewf(py.ValueError, "empty separator")
				}
				if right && max >= 0 {
					parts = rsplitN(s, sep, max)
				} else if max >= 0 {
					parts = strings.SplitN(s, sep, max+1)
				} else {
					parts = strings.Split(s, sep)
				}
			}
			return py.NewListFromStrings(parts), nil
		})
	}
	split("split", false)
	split("rsplit", true)
	setMethod(t, "splitlines", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("splitlines", args, kwargs, 0, "keepends")
		if err != nil {
			return nil, err
		}
		keep := a[0] != nil && a[0] != py.False && a[0] != py.Int(0)
		s := string(self.(py.String))
		var out []string
		for s != "" {
			i := strings.IndexAny(s, "\n\r\v\f\x1c\x1d\x1e\x85")
			if i < 0 {
				out = append(out, s)
				break
			}
			end := i + 1
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				end = i + 2
			}
			if keep {
				out = append(out, s[:end])
			} else {
				out = append(out, s[:i])
			}
			s = s[end:]
		}
		return py.NewListFromStrings(out), nil
	})
	setMethod(t, "replace", func(self py.Object, args py.Tuple) (py.Object, error) {
		a, err := bindArgs("replace", args, nil, 2, "old", "new", "count")
		if err != nil {
			return nil, err
		}
		old, err := strArg("replace", a[0])
		if err != nil {
			return nil, err
		}
		nw, err := strArg("replace", a[1])
		if err != nil {
			return nil, err
		}
		n := -1
		if a[2] != nil {
			if n, err = intArg("replace", a[2]); err != nil {
				return nil, err
			}
		}
		return py.String(strings.Replace(string(self.(py.String)), old, nw, n)), nil
	})
	setMethod(t, "expandtabs", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("expandtabs", args, kwargs, 0, "tabsize")
		if err != nil {
			return nil, err
		}
		size := 8
		if a[0] != nil {
			n, ok := a[0].(py.Int)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "an integer is required")
			}
			size = int(n)
		}
		return py.String(expandTabs(string(self.(py.String)), size)), nil
	})
	setMethod(t, "encode", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("encode", args, kwargs, 0, "encoding", "errors")
		if err != nil {
			return nil, err
		}
		return encodeStr(string(self.(py.String)), a[0], a[1])
	})
	setMethod(t, "format", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		s, err := formatString(string(self.(py.String)), args, kwargs)
		if err != nil {
			return nil, err
		}
		return py.String(s), nil
	})
	setMethod(t, "format_map", func(self, m py.Object) (py.Object, error) {
		d, ok := m.(py.StringDict)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "format_map() argument must be a dict")
		}
		s, err := formatString(string(self.(py.String)), nil, d)
		if err != nil {
			return nil, err
		}
		return py.String(s), nil
	})
	setMethod(t, "translate", func(self, table py.Object) (py.Object, error) {
		var b strings.Builder
		for _, r := range string(self.(py.String)) {
			v, err := py.GetItem(table, py.Int(r))
			if err != nil {
				b.WriteRune(r)
				continue
			}
			switch x := v.(type) {
			case py.NoneType:
			case py.Int:
				b.WriteRune(rune(x))
			case py.String:
				b.WriteString(string(x))
			}
		}
		return py.String(b.String()), nil
	})
}

func titleOf(s string) string {
	var b strings.Builder
	prev := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prev {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			prev = true
		} else {
			b.WriteRune(r)
			prev = false
		}
	}
	return b.String()
}

func splitWhitespace(s string, max int, right bool) []string {
	fields := strings.Fields(s)
	if max < 0 || len(fields) <= max+1 {
		return fields
	}
	if !right {
		// Keep the rest of the string after max splits, left-trimmed.
		out := make([]string, 0, max+1)
		rest := strings.TrimLeftFunc(s, unicode.IsSpace)
		for i := 0; i < max; i++ {
			j := strings.IndexFunc(rest, unicode.IsSpace)
			out = append(out, rest[:j])
			rest = strings.TrimLeftFunc(rest[j:], unicode.IsSpace)
		}
		return append(out, rest)
	}
	out := make([]string, 0, max+1)
	rest := strings.TrimRightFunc(s, unicode.IsSpace)
	for i := 0; i < max; i++ {
		j := strings.LastIndexFunc(rest, unicode.IsSpace)
		out = append([]string{rest[j+1:]}, out...)
		rest = strings.TrimRightFunc(rest[:j], unicode.IsSpace)
	}
	return append([]string{rest}, out...)
}

func rsplitN(s, sep string, max int) []string {
	var out []string
	for i := 0; i < max; i++ {
		j := strings.LastIndex(s, sep)
		if j < 0 {
			break
		}
		out = append([]string{s[j+len(sep):]}, out...)
		s = s[:j]
	}
	return append([]string{s}, out...)
}

// encodeStr is str.encode: utf-8, ascii or latin-1, with the errors
// handlers strict (the default), ignore and replace.
func encodeStr(s string, enc, errs py.Object) (py.Object, error) {
	handler := "strict"
	if errs != nil && errs != py.None {
		x, err := strArg("encode", errs)
		if err != nil {
			return nil, err
		}
		handler = x
	}
	e := "utf-8"
	if enc != nil && enc != py.None {
		x, err := strArg("encode", enc)
		if err != nil {
			return nil, err
		}
		e = strings.ToLower(strings.ReplaceAll(x, "_", "-"))
	}
	switch e {
	case "utf-8", "utf8":
		return py.Bytes(s), nil
	case "ascii", "latin-1", "latin1", "iso-8859-1":
		lim := rune(0x80)
		if e != "ascii" {
			lim = 0x100
		}
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r >= lim {
				switch handler {
				case "ignore":
					continue
				case "replace":
					b = append(b, '?')
					continue
				}
				return nil, py.ExceptionNewf(py.ValueError, "'%s' codec can't encode character %q", e, r)
			}
			b = append(b, byte(r))
		}
		return py.Bytes(b), nil
	}
	return nil, py.ExceptionNewf(py.LookupError, "unknown encoding: %s", e)
}

// strJoin is sep.join(it).
func strJoin(sep py.String, it py.Object) (py.Object, error) {
	var items []py.Object
	switch x := it.(type) {
	case *py.List:
		items = x.Items
	case py.Tuple:
		items = x
	default:
		var err error
		if items, err = iterate(it); err != nil {
			return nil, err
		}
	}
	n := len(sep) * (len(items) - 1)
	for i, o := range items {
		s, ok := o.(py.String)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "sequence item %d: expected str instance, %s found", i, o.Type().Name)
		}
		n += len(s)
	}
	if len(items) == 0 {
		return py.String(""), nil
	}
	var b strings.Builder
	b.Grow(n)
	for i, o := range items {
		if i > 0 {
			b.WriteString(string(sep))
		}
		b.WriteString(string(o.(py.String)))
	}
	return py.String(b.String()), nil
}
