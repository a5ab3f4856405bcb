package pyrt

import (
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

// strOf is str(o) as CPython computes it. gpython prints floats with %g
// (str(12345678.9) is 1.23456789e+07) and containers with its own float
// format, so both are done here.
func strOf(o py.Object) (string, error) { return strOrdered(o, nil) }

// strOrdered is str(o) with dict keys in their recorded order.
func strOrdered(o py.Object, order keyOrder) (string, error) {
	switch x := o.(type) {
	case py.String:
		return string(x), nil
	case py.Float:
		return floatRepr(float64(x)), nil
	case py.Int:
		return strconv.FormatInt(int64(x), 10), nil
	case py.NoneType:
		return "None", nil
	case py.Bool:
		if x {
			return "True", nil
		}
		return "False", nil
	case *py.List, py.Tuple, py.StringDict, *py.Set, *py.FrozenSet, *py.BigInt, py.Bytes:
		return reprOrdered(o, order)
	case *py.Exception:
		return exceptionMessage(x), nil
	}
	return py.StrAsString(o)
}

// reprOf is repr(o) as CPython computes it.
func reprOf(o py.Object) (string, error) { return reprOrdered(o, nil) }

// reprOrdered is repr(o) with dict keys in their recorded order (nil:
// sorted).
func reprOrdered(o py.Object, order keyOrder) (string, error) {
	var b strings.Builder
	if err := writeRepr(&b, o, 0, order); err != nil {
		return "", err
	}
	return b.String(), nil
}

func reprString(o py.Object) string {
	s, err := reprOf(o)
	if err != nil {
		return "<" + o.Type().Name + ">"
	}
	return s
}

func strString(o py.Object) string {
	s, err := strOf(o)
	if err != nil {
		return "<" + o.Type().Name + ">"
	}
	return s
}

func writeRepr(b *strings.Builder, o py.Object, depth int, order keyOrder) error {
	if depth > 100 {
		return py.ExceptionNewf(py.RuntimeError, "maximum recursion depth exceeded while getting the repr of an object")
	}
	switch x := o.(type) {
	case py.String:
		b.WriteString(quoteString(string(x)))
	case py.Float:
		b.WriteString(floatRepr(float64(x)))
	case py.Int:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case *py.BigInt:
		b.WriteString((*big.Int)(x).String())
	case py.Bool, py.NoneType:
		s, _ := strOf(x)
		b.WriteString(s)
	case *py.List:
		b.WriteByte('[')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeRepr(b, it, depth+1, order); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case py.Tuple:
		b.WriteByte('(')
		for i, it := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeRepr(b, it, depth+1, order); err != nil {
				return err
			}
		}
		if len(x) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case py.StringDict:
		b.WriteByte('{')
		for i, k := range dictKeys(x, order, order == nil) {
			if i > 0 {
				b.WriteString(", ")
			}
			if isEncodedKey(k) {
				if err := writeRepr(b, decodeKey(k), depth+1, order); err != nil {
					return err
				}
			} else {
				b.WriteString(quoteString(k))
			}
			b.WriteString(": ")
			if err := writeRepr(b, x[k], depth+1, order); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case *py.Set, *py.FrozenSet:
		items, err := sortedItems(o)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			if _, ok := o.(*py.Set); ok {
				b.WriteString("set()")
			} else {
				b.WriteString("frozenset()")
			}
			return nil
		}
		if _, ok := o.(*py.FrozenSet); ok {
			b.WriteString("frozenset(")
		}
		b.WriteByte('{')
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeRepr(b, it, depth+1, order); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		if _, ok := o.(*py.FrozenSet); ok {
			b.WriteByte(')')
		}
	case py.Bytes:
		b.WriteString(bytesRepr(x))
	case *py.Exception:
		b.WriteString(x.Type().Name)
		b.WriteByte('(')
		args, _ := x.Args.(py.Tuple)
		for i, a := range args {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeRepr(b, a, depth+1, order); err != nil {
				return err
			}
		}
		b.WriteByte(')')
	default:
		s, err := py.ReprAsString(o)
		if err != nil {
			return err
		}
		b.WriteString(s)
	}
	return nil
}

// quoteString is CPython's repr of a str: single quotes unless the text
// holds a single quote and no double quote.
func quoteString(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(int(r)))
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r > 0x7f && !unicode.IsPrint(r):
			if r < 0x100 {
				b.WriteString(`\x` + hex2(int(r)))
			} else if r < 0x10000 {
				b.WriteString(`\u` + strconv.FormatInt(int64(r)|0x10000, 16)[1:])
			} else {
				b.WriteString(`\U` + strconv.FormatInt(int64(r)|0x100000000, 16)[1:])
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

func hex2(n int) string { return string([]byte{hexDigits[n>>4&0xF], hexDigits[n&0xF]}) }

func bytesRepr(x []byte) string {
	q := byte('\'')
	if strings.IndexByte(string(x), '\'') >= 0 && strings.IndexByte(string(x), '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteString("b")
	b.WriteByte(q)
	for _, c := range x {
		switch {
		case c == q || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x` + hex2(int(c)))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// sortedItems returns the members of a set in a stable order: sorted
// where they compare, by repr otherwise. gpython sets are Go maps, so
// iteration order is random.
func sortedItems(o py.Object) ([]py.Object, error) {
	items, err := iterate(o)
	if err != nil {
		return nil, err
	}
	var cmpErr error
	sort.SliceStable(items, func(i, j int) bool {
		lt, err := lessThan(items[i], items[j])
		if err != nil {
			cmpErr = err
			return reprString(items[i]) < reprString(items[j])
		}
		return lt
	})
	if cmpErr != nil {
		sort.SliceStable(items, func(i, j int) bool { return reprString(items[i]) < reprString(items[j]) })
	}
	return items, nil
}
