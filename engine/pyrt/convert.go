package pyrt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

// keyOrder remembers the key order of dicts decoded from JSON. gpython's
// dict is a Go map (py.StringDict) without order, so the order is kept
// beside it, keyed by the map's identity, and used again when the dict is
// encoded: known keys in their input order, then new keys sorted.
//
// An entry holds the dict too: while the entry lives (one event) the map
// cannot be freed and its address given to another dict.
type keyOrder map[uintptr]orderEntry

type orderEntry struct {
	d    py.StringDict
	keys []string
}

func dictID(d py.StringDict) uintptr { return reflect.ValueOf(d).Pointer() }

// get returns the recorded order of d.
func (o keyOrder) get(d py.StringDict) ([]string, bool) {
	e, ok := o[dictID(d)]
	return e.keys, ok
}

func (o keyOrder) set(d py.StringDict, keys []string) { o[dictID(d)] = orderEntry{d: d, keys: keys} }

// add notes that key k is about to be added to d (it is not there yet):
// it goes after the keys d has, as in CPython. A dict without a recorded
// order starts from its keys sorted.
func (o keyOrder) add(d py.StringDict, k string) {
	if o == nil {
		return
	}
	keys, ok := o.get(d)
	if !ok {
		keys = sortedKeys(d)
	} else if len(keys) <= 64 {
		for i, x := range keys {
			if x == k { // deleted earlier: it comes back at the end
				keys = append(keys[:i:i], keys[i+1:]...)
				break
			}
		}
	}
	o.set(d, append(keys, k))
}

// decodeJSON turns JSON into Python objects. Objects become dicts whose
// key order is recorded in order (when not nil).
func decodeJSON(data []byte, order keyOrder) (py.Object, error) {
	d := jsonDecoder{order: order}
	return d.decode(data)
}

// decode decodes one value; a decoder may be reused (its scratch stacks
// and interned keys are kept).
func (d *jsonDecoder) decode(data []byte) (py.Object, error) {
	d.data, d.pos, d.depth = data, 0, 0
	d.skipSpace()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return nil, d.errorf("extra data after the JSON value")
	}
	return v, nil
}

type jsonDecoder struct {
	data  []byte
	pos   int
	order keyOrder
	depth int
	keys  []string
	vals  []py.Object
	// intern holds object keys seen before: events of one flow repeat
	// the same keys, and a shared string saves an allocation each.
	intern map[string]string
}

const maxInterned = 4096

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value() (py.Object, error) {
	if d.pos >= len(d.data) {
		return nil, d.errorf("unexpected end")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return py.String(s), nil
	case c == 't':
		return d.literal("true", py.True)
	case c == 'f':
		return d.literal("false", py.False)
	case c == 'n':
		return d.literal("null", py.None)
	case c == 'N':
		return d.literal("NaN", py.Float(math.NaN()))
	case c == 'I':
		return d.literal("Infinity", py.Float(math.Inf(1)))
	case c == '-' || (c >= '0' && c <= '9'):
		if bytes.HasPrefix(d.data[d.pos:], []byte("-Infinity")) {
			d.pos += len("-Infinity")
			return py.Float(math.Inf(-1)), nil
		}
		return d.number()
	}
	return nil, d.errorf("unexpected character %q", d.data[d.pos])
}

func (d *jsonDecoder) literal(word string, v py.Object) (py.Object, error) {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		return nil, d.errorf("unexpected word")
	}
	d.pos += len(word)
	return v, nil
}

func (d *jsonDecoder) object() (py.Object, error) {
	d.depth++
	if d.depth > 500 {
		return nil, d.errorf("nested too deeply")
	}
	defer func() { d.depth-- }()
	d.pos++ // {
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return py.NewStringDict(), nil
	}
	// Keys and values go on the decoder's stacks first, so that the map
	// is made at its final size (map growth was most of the decoding
	// cost) and the key order is known.
	base := len(d.keys)
	for {
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errorf("expected a key")
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.errorf("expected ':'")
		}
		d.pos++
		d.skipSpace()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end in object")
		}
		if d.data[d.pos] == ',' {
			d.pos++
			continue
		}
		if d.data[d.pos] == '}' {
			d.pos++
			break
		}
		return nil, d.errorf("expected ',' or '}'")
	}
	keys, vals := d.keys[base:], d.vals[base:]
	out := py.NewStringDictSized(len(keys))
	for i, k := range keys {
		out[k] = vals[i]
	}
	if d.order != nil && len(keys) > 1 {
		order := keys
		if len(out) != len(keys) { // duplicate keys: the first place counts
			order = make([]string, 0, len(out))
			seen := make(map[string]bool, len(out))
			for _, k := range keys {
				if !seen[k] {
					seen[k] = true
					order = append(order, k)
				}
			}
		}
		d.order.set(out, append([]string(nil), order...))
	}
	clear(d.vals[base:])
	d.keys, d.vals = d.keys[:base], d.vals[:base]
	return out, nil
}

func (d *jsonDecoder) array() (py.Object, error) {
	d.depth++
	if d.depth > 500 {
		return nil, d.errorf("nested too deeply")
	}
	defer func() { d.depth-- }()
	d.pos++ // [
	var items []py.Object
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return py.NewList(), nil
	}
	for {
		d.skipSpace()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end in array")
		}
		if d.data[d.pos] == ',' {
			d.pos++
			continue
		}
		if d.data[d.pos] == ']' {
			d.pos++
			break
		}
		return nil, d.errorf("expected ',' or ']'")
	}
	return py.NewListFromItems(items), nil
}

func (d *jsonDecoder) number() (py.Object, error) {
	start := d.pos
	isFloat := false
	if d.data[d.pos] == '-' {
		d.pos++
	}
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c >= '0' && c <= '9' {
			d.pos++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
			isFloat = true
			d.pos++
			continue
		}
		break
	}
	text := string(d.data[start:d.pos])
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return py.Int(n), nil
		}
		b, ok := new(big.Int).SetString(text, 10)
		if !ok {
			return nil, d.errorf("invalid number %q", text)
		}
		return (*py.BigInt)(b), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return nil, d.errorf("invalid number %q", text)
		}
	}
	return py.Float(f), nil
}

// key reads an object key, interned when it has no escapes.
func (d *jsonDecoder) key() (string, error) {
	if d.intern != nil {
		start := d.pos + 1
		for i := start; i < len(d.data); i++ {
			c := d.data[i]
			if c == '"' {
				if k, ok := d.intern[string(d.data[start:i])]; ok {
					d.pos = i + 1
					return k, nil
				}
				break
			}
			if c == '\\' || c < 0x20 {
				break
			}
		}
	}
	k, err := d.str()
	if err == nil && d.intern != nil && len(d.intern) < maxInterned {
		d.intern[k] = k
	}
	return k, err
}

func (d *jsonDecoder) str() (string, error) {
	d.pos++ // opening quote
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := string(d.data[start:d.pos])
			d.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", d.errorf("control character in string")
		}
		d.pos++
	}
	// Slow path: escapes.
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(buf), nil
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return "", d.errorf("unexpected end in string")
			}
			e := d.data[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
						save := d.pos
						d.pos += 2
						if r2, ok := d.hex4(); ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								buf = utf8.AppendRune(buf, dec)
								continue
							}
						}
						d.pos = save
					}
					r = utf8.RuneError
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", d.errorf("invalid escape \\%c", e)
			}
		case c < 0x20:
			return "", d.errorf("control character in string")
		default:
			buf = append(buf, c)
			d.pos++
		}
	}
	return "", d.errorf("unterminated string")
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	d.pos += 4
	return rune(n), true
}

// encoder writes Python objects as JSON. Dict keys come in input order
// where known (see keyOrder), new keys sorted; floats as CPython's repr.
type encoder struct {
	buf       []byte
	order     keyOrder
	sortKeys  bool
	ascii     bool   // escape non-ASCII as \uXXXX, like json.dumps
	compact   bool   // "," and ":" without spaces
	itemSep   string // separators for json.dumps
	keySep    string
	indent    string
	allowNaN  bool
	depth     int
	strictKey bool
}

func newEncoder(order keyOrder) *encoder {
	return &encoder{order: order, itemSep: ",", keySep: ":", buf: make([]byte, 0, 512)}
}

// errNotJSON is what CPython's json raises for an unsupported type.
func errNotJSON(o py.Object) error {
	return py.ExceptionNewf(py.TypeError, "Object of type %s is not JSON serializable", o.Type().Name)
}

func (e *encoder) newline() {
	if e.indent == "" {
		return
	}
	e.buf = append(e.buf, '\n')
	for i := 0; i < e.depth; i++ {
		e.buf = append(e.buf, e.indent...)
	}
}

func (e *encoder) encode(o py.Object) error {
	switch x := o.(type) {
	case py.NoneType:
		e.buf = append(e.buf, "null"...)
	case py.Bool:
		if x {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case py.Int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case *py.BigInt:
		e.buf = append(e.buf, (*big.Int)(x).String()...)
	case py.Float:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			if !e.allowNaN {
				return py.ExceptionNewf(py.ValueError, "Out of range float values are not JSON compliant")
			}
			switch {
			case math.IsNaN(f):
				e.buf = append(e.buf, "NaN"...)
			case f > 0:
				e.buf = append(e.buf, "Infinity"...)
			default:
				e.buf = append(e.buf, "-Infinity"...)
			}
			return nil
		}
		e.buf = append(e.buf, floatRepr(f)...)
	case py.String:
		e.str(string(x))
	case py.StringDict:
		return e.dict(x)
	case *py.List:
		return e.seq(x.Items)
	case py.Tuple:
		return e.seq(x)
	case *py.Set, *py.FrozenSet:
		items, err := sortedItems(o)
		if err != nil {
			return err
		}
		return e.seq(items)
	case *defaultDict:
		if len(x.d) > 1 && e.order != nil && !e.sortKeys {
			if _, known := e.order.get(x.d); !known {
				e.order.set(x.d, x.orderedKeys())
			}
		}
		return e.dict(x.d)
	case *counter:
		return e.dict(x.asDict())
	default:
		return errNotJSON(o)
	}
	return nil
}

func (e *encoder) seq(items []py.Object) error {
	if len(items) == 0 {
		e.buf = append(e.buf, "[]"...)
		return nil
	}
	e.depth++
	if e.depth > 200 {
		return py.ExceptionNewf(py.ValueError, "Circular reference detected")
	}
	e.buf = append(e.buf, '[')
	for i, it := range items {
		if i > 0 {
			e.buf = append(e.buf, e.itemSep...)
		}
		e.newline()
		if err := e.encode(it); err != nil {
			return err
		}
	}
	e.depth--
	e.newline()
	e.buf = append(e.buf, ']')
	return nil
}

// dictKeys returns the keys of d in output order.
func dictKeys(d py.StringDict, order keyOrder, sortKeys bool) []string {
	keys := make([]string, 0, len(d))
	if !sortKeys && order != nil {
		if known, ok := order.get(d); ok {
			for _, k := range known {
				if _, present := d[k]; present {
					keys = append(keys, k)
				}
			}
			if len(keys) == len(d) {
				return keys
			}
			seen := make(map[string]bool, len(keys))
			for _, k := range keys {
				seen[k] = true
			}
			var extra []string
			for k := range d {
				if !seen[k] {
					extra = append(extra, k)
				}
			}
			sort.Strings(extra)
			return append(keys, extra...)
		}
	}
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (e *encoder) dict(d py.StringDict) error {
	if len(d) == 0 {
		e.buf = append(e.buf, "{}"...)
		return nil
	}
	e.depth++
	if e.depth > 200 {
		return py.ExceptionNewf(py.ValueError, "Circular reference detected")
	}
	e.buf = append(e.buf, '{')
	keys := dictKeys(d, e.order, e.sortKeys)
	if e.sortKeys {
		if err := sortEncodedKeys(keys); err != nil {
			return err
		}
	}
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, e.itemSep...)
		}
		e.newline()
		jk, err := jsonKeyOf(k, e.allowNaN)
		if err != nil {
			return err
		}
		e.str(jk)
		e.buf = append(e.buf, e.keySep...)
		if err := e.encode(d[k]); err != nil {
			return err
		}
	}
	e.depth--
	e.newline()
	e.buf = append(e.buf, '}')
	return nil
}

const hexDigits = "0123456789abcdef"

func (e *encoder) str(s string) {
	e.buf = append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			e.buf = append(e.buf, s[start:i]...)
			switch c {
			case '"', '\\':
				e.buf = append(e.buf, '\\', c)
			case '\n':
				e.buf = append(e.buf, '\\', 'n')
			case '\r':
				e.buf = append(e.buf, '\\', 'r')
			case '\t':
				e.buf = append(e.buf, '\\', 't')
			case '\b':
				e.buf = append(e.buf, '\\', 'b')
			case '\f':
				e.buf = append(e.buf, '\\', 'f')
			default:
				e.buf = append(e.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !e.ascii && r != utf8.RuneError {
			i += size
			continue
		}
		e.buf = append(e.buf, s[start:i]...)
		if r == utf8.RuneError && !e.ascii {
			e.buf = append(e.buf, `\ufffd`...)
		} else {
			for _, u := range utf16Units(r) {
				e.buf = append(e.buf, '\\', 'u', hexDigits[u>>12&0xF], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
			}
		}
		i += size
		start = i
	}
	e.buf = append(e.buf, s[start:]...)
	e.buf = append(e.buf, '"')
}

func utf16Units(r rune) []uint16 {
	if r >= 0x10000 {
		a, b := utf16.EncodeRune(r)
		return []uint16{uint16(a), uint16(b)}
	}
	return []uint16{uint16(r)}
}

// floatRepr formats like CPython's repr(float): the shortest string that
// reads back the same, fixed notation for 1e-4 <= |f| < 1e16, otherwise
// exponent notation with at least two exponent digits.
func floatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-4 && abs < 1e16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		for i := 0; i < len(s); i++ {
			if s[i] == '.' {
				return s
			}
		}
		return s + ".0"
	}
	return strconv.FormatFloat(f, 'e', -1, 64) // Go writes e+16, e-07 as CPython does
}

// toJSON encodes a value for a json.RawMessage.
func toJSON(o py.Object, order keyOrder) (json.RawMessage, error) {
	e := newEncoder(order)
	if err := e.encode(o); err != nil {
		return nil, err
	}
	return e.buf, nil
}
