package pyrt

import (
	"html"
	"net/url"
	"strings"

	"github.com/go-python/gpython/py"
)

// urllib.parse and html: URL and HTML escaping for webhook payloads.

// quote escapes like urllib.parse.quote: letters, digits, "_.-~" and the
// safe characters stay; everything else is %XX of its UTF-8 bytes.
func quote(s, safe string, plus bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("_.-~", c) >= 0,
			c < 0x80 && strings.IndexByte(safe, c) >= 0:
			b.WriteByte(c)
		case plus && c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

func unquote(s string, plus bool) string {
	if plus {
		s = strings.ReplaceAll(s, "+", " ")
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// parseQS splits a query string into pairs, as parse_qsl does.
func parseQS(qs string, keepBlank bool) [][2]string {
	var out [][2]string
	for _, part := range strings.FieldsFunc(qs, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, _ := strings.Cut(part, "=")
		if v == "" && !keepBlank {
			continue
		}
		out = append(out, [2]string{unquote(k, true), unquote(v, true)})
	}
	return out
}

func init() {
	strArgOr := func(o py.Object, def string) (string, error) {
		if o == nil || o == py.None {
			return def, nil
		}
		return strArg("urllib.parse", o)
	}
	quoteFn := func(name string, plus bool, defSafe string) *py.Method {
		return method(name, func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs(name, args, kwargs, 1, "string", "safe", "encoding", "errors")
			if err != nil {
				return nil, err
			}
			s, err := bytesArg(name, a[0])
			if err != nil {
				return nil, err
			}
			safe, err := strArgOr(a[1], defSafe)
			if err != nil {
				return nil, err
			}
			return py.String(quote(string(s), safe, plus)), nil
		})
	}
	unquoteFn := func(name string, plus bool) *py.Method {
		return method(name, func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs(name, args, kwargs, 1, "string", "encoding", "errors")
			if err != nil {
				return nil, err
			}
			s, err := strArg(name, a[0])
			if err != nil {
				return nil, err
			}
			return py.String(unquote(s, plus)), nil
		})
	}
	methods := []*py.Method{
		quoteFn("quote", false, "/"), quoteFn("quote_plus", true, ""),
		unquoteFn("unquote", false), unquoteFn("unquote_plus", true),
		method("urlencode", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("urlencode", args, kwargs, 1, "query", "doseq", "safe")
			if err != nil {
				return nil, err
			}
			doseq := false
			if a[1] != nil {
				if doseq, err = truthy(a[1]); err != nil {
					return nil, err
				}
			}
			var pairs []py.Object
			if d, ok := a[0].(py.StringDict); ok {
				for _, k := range dictKeys(d, orderOf(self), false) {
					pairs = append(pairs, py.Tuple{py.String(k), d[k]})
				}
			} else if pairs, err = iterate(a[0]); err != nil {
				return nil, err
			}
			var parts []string
			for _, p := range pairs {
				kv, ok := seqItems(p)
				if !ok || len(kv) != 2 {
					return nil, py.ExceptionNewf(py.TypeError, "not a valid non-string sequence or mapping object")
				}
				k, err := strOf(kv[0])
				if err != nil {
					return nil, err
				}
				if vs, isSeq := seqItems(kv[1]); isSeq && doseq {
					for _, v := range vs {
						s, err := strOf(v)
						if err != nil {
							return nil, err
						}
						parts = append(parts, quote(k, "", true)+"="+quote(s, "", true))
					}
					continue
				}
				s, err := strOf(kv[1])
				if err != nil {
					return nil, err
				}
				parts = append(parts, quote(k, "", true)+"="+quote(s, "", true))
			}
			return py.String(strings.Join(parts, "&")), nil
		}),
		method("parse_qsl", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("parse_qsl", args, kwargs, 1, "qs", "keep_blank_values")
			if err != nil {
				return nil, err
			}
			s, err := strArg("parse_qsl", a[0])
			if err != nil {
				return nil, err
			}
			keep := a[1] != nil && a[1] != py.False && a[1] != py.None
			var out []py.Object
			for _, kv := range parseQS(s, keep) {
				out = append(out, py.Tuple{py.String(kv[0]), py.String(kv[1])})
			}
			return py.NewListFromItems(out), nil
		}),
		method("parse_qs", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("parse_qs", args, kwargs, 1, "qs", "keep_blank_values")
			if err != nil {
				return nil, err
			}
			s, err := strArg("parse_qs", a[0])
			if err != nil {
				return nil, err
			}
			keep := a[1] != nil && a[1] != py.False && a[1] != py.None
			d := py.NewStringDict()
			var keys []string
			for _, kv := range parseQS(s, keep) {
				l, ok := d[kv[0]].(*py.List)
				if !ok {
					l = py.NewList()
					d[kv[0]] = l
					keys = append(keys, kv[0])
				}
				l.Append(py.String(kv[1]))
			}
			if o := orderOf(self); o != nil && len(keys) > 1 {
				o.set(d, keys)
			}
			return d, nil
		}),
		method("urlparse", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 {
				return nil, py.ExceptionNewf(py.TypeError, "urlparse() missing required argument 'url'")
			}
			s, err := strArg("urlparse", args[0])
			if err != nil {
				return nil, err
			}
			u, err := url.Parse(s)
			if err != nil {
				return nil, valueError("%v", err)
			}
			netloc := u.Host
			if u.User != nil {
				netloc = u.User.String() + "@" + netloc
			}
			path, params, _ := strings.Cut(u.EscapedPath(), ";")
			return newParseResult(u.Scheme, netloc, path, params, u.RawQuery, u.EscapedFragment(), u.Hostname(), u.Port()), nil
		}),
		method("urljoin", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 2 {
				return nil, py.ExceptionNewf(py.TypeError, "urljoin() takes a base and a url")
			}
			b, err := strArg("urljoin", args[0])
			if err != nil {
				return nil, err
			}
			r, err := strArg("urljoin", args[1])
			if err != nil {
				return nil, err
			}
			bu, err1 := url.Parse(b)
			ru, err2 := url.Parse(r)
			if err1 != nil || err2 != nil {
				return py.String(r), nil
			}
			return py.String(bu.ResolveReference(ru).String()), nil
		}),
	}
	registerModule("urllib.parse", "URL quoting and parsing.", methods, nil, "")
	registerModule("urllib", "Only urllib.parse: there is no network access.", nil, py.StringDict{}, "")

	registerModule("html", "HTML escaping.", []*py.Method{
		method("escape", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("escape", args, kwargs, 1, "s", "quote")
			if err != nil {
				return nil, err
			}
			s, err := strArg("escape", a[0])
			if err != nil {
				return nil, err
			}
			s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
			if a[1] == nil || a[1] == py.True {
				s = strings.NewReplacer(`"`, "&quot;", "'", "&#x27;").Replace(s)
			}
			return py.String(s), nil
		}),
		method("unescape", func(_, o py.Object) (py.Object, error) {
			s, err := strArg("unescape", o)
			if err != nil {
				return nil, err
			}
			return py.String(html.UnescapeString(s)), nil
		}),
	}, nil, "")
}

// parseResult is urllib.parse.ParseResult: a 6-tuple with names.
type parseResult struct {
	t              py.Tuple
	hostname, port string
}

var parseResultType = ready(py.NewType("ParseResult", "The result of urlparse()."))

func newParseResult(scheme, netloc, path, params, query, fragment, host, port string) *parseResult {
	return &parseResult{t: py.Tuple{py.String(scheme), py.String(netloc), py.String(path), py.String(params), py.String(query), py.String(fragment)},
		hostname: host, port: port}
}

func (p *parseResult) Type() *py.Type                              { return parseResultType }
func (p *parseResult) M__getitem__(k py.Object) (py.Object, error) { return p.t.M__getitem__(k) }
func (p *parseResult) M__len__() (py.Object, error)                { return py.Int(6), nil }
func (p *parseResult) M__iter__() (py.Object, error)               { return py.NewIterator(p.t), nil }
func (p *parseResult) M__getattr__(name string) (py.Object, error) {
	for i, n := range []string{"scheme", "netloc", "path", "params", "query", "fragment"} {
		if n == name {
			return p.t[i], nil
		}
	}
	switch name {
	case "hostname":
		if p.hostname == "" {
			return py.None, nil
		}
		return py.String(strings.ToLower(p.hostname)), nil
	case "port":
		if p.port == "" {
			return py.None, nil
		}
		n, err := py.IntFromString(p.port, 10)
		if err != nil {
			return py.None, nil
		}
		return n, nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'ParseResult' object has no attribute '%s'", name)
}
