package pyrt

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/go-python/gpython/py"
)

// Dict keys that are not str. gpython's dict is a Go map[string]Object
// (py.StringDict) and refuses other keys. Sluice stores an int, float,
// bool, None or tuple key under an encoded string that no Python str can
// be (it starts with the byte 0xff, never the first byte of UTF-8), so the
// dict stays a StringDict: str keys (the event's) keep the direct map
// access, and equal keys have equal encodings, so == and len work as
// they are. The helpers of the rewrite (__getitem__, __setitem__,
// __delitem__, __in__, __it__, __items__...) and the dict methods
// encode keys on the way in and decode them on the way out.
//
// The encoding keeps the key's type (json.dumps writes {1: x} as "1" and
// {True: x} as "true"); numbers that are equal across types (1, 1.0,
// True) find each other through keyAlternates, so d[1.0] reads d[1] as
// in CPython. Inside tuples that is not done: (1, 2) and (1.0, 2) are
// different keys here.

const keyMark = 0xff

func isEncodedKey(k string) bool { return len(k) > 0 && k[0] == keyMark }

// encodeKey is the map key for o.
func encodeKey(o py.Object) (string, error) {
	if s, ok := o.(py.String); ok {
		return string(s), nil
	}
	b, err := appendKeyPart([]byte{keyMark}, o)
	return string(b), err
}

func appendKeyPart(b []byte, o py.Object) ([]byte, error) {
	switch x := o.(type) {
	case py.String:
		return append(append(b, 's'), x...), nil
	case py.Int:
		return strconv.AppendInt(append(b, 'i'), int64(x), 10), nil
	case *py.BigInt:
		return append(append(b, 'i'), (*big.Int)(x).String()...), nil
	case py.Bool:
		if x {
			return append(b, 'b', '1'), nil
		}
		return append(b, 'b', '0'), nil
	case py.Float:
		return append(append(b, 'f'), floatRepr(float64(x))...), nil
	case py.NoneType:
		return append(b, 'n'), nil
	case py.Tuple:
		b = append(b, 't')
		for _, e := range x {
			part, err := appendKeyPart(nil, e)
			if err != nil {
				return nil, err
			}
			b = strconv.AppendInt(b, int64(len(part)), 10)
			b = append(b, ':')
			b = append(b, part...)
		}
		return b, nil
	case *py.List, py.StringDict, *py.Set, *defaultDict, *counter:
		return nil, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", o.Type().Name)
	}
	return nil, py.ExceptionNewf(py.TypeError, "dict keys must be str, int, float, bool, None or tuples of those in transforms, not %s", o.Type().Name)
}

// decodeKey is the key object of a map key.
func decodeKey(k string) py.Object {
	if !isEncodedKey(k) {
		return py.String(k)
	}
	o, _ := decodeKeyPart(k[1:])
	return o
}

func decodeKeyPart(p string) (py.Object, string) {
	if p == "" {
		return py.None, ""
	}
	tag, rest := p[0], p[1:]
	switch tag {
	case 's':
		return py.String(rest), ""
	case 'i':
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
			return py.Int(n), ""
		}
		n, _ := new(big.Int).SetString(rest, 10)
		return (*py.BigInt)(n), ""
	case 'b':
		return py.NewBool(rest == "1"), ""
	case 'f':
		f, _ := strconv.ParseFloat(rest, 64)
		return py.Float(f), ""
	case 'n':
		return py.None, ""
	case 't':
		var t py.Tuple
		for rest != "" {
			colon := strings.IndexByte(rest, ':')
			n, _ := strconv.Atoi(rest[:colon])
			part := rest[colon+1 : colon+1+n]
			e, _ := decodeKeyPart(part)
			t = append(t, e)
			rest = rest[colon+1+n:]
		}
		if t == nil {
			t = py.Tuple{}
		}
		return t, ""
	}
	return py.None, ""
}

// keyAlternates are the encodings of the keys of other types equal to o
// (1 == 1.0 == True).
func keyAlternates(o py.Object) []string {
	var n int64
	var isInt bool
	switch x := o.(type) {
	case py.Int:
		n, isInt = int64(x), true
	case py.Bool:
		n, isInt = 0, true
		if x {
			n = 1
		}
	case py.Float:
		f := float64(x)
		if f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
			return nil
		}
		n, isInt = int64(f), true
	}
	if !isInt {
		return nil
	}
	alts := make([]string, 0, 3)
	if _, ok := o.(py.Int); !ok {
		alts = append(alts, "\xffi"+strconv.FormatInt(n, 10))
	}
	if _, ok := o.(py.Float); !ok && n > -(1<<53) && n < 1<<53 {
		alts = append(alts, "\xfff"+floatRepr(float64(n)))
	}
	if _, ok := o.(py.Bool); !ok && (n == 0 || n == 1) {
		alts = append(alts, "\xffb"+strconv.FormatInt(n, 10))
	}
	return alts
}

// findKey returns the map key under which d holds o (or would: the
// encoding of o when d does not hold it) and whether it is there.
func findKey(d py.StringDict, o py.Object) (string, bool, error) {
	if s, ok := o.(py.String); ok {
		_, present := d[string(s)]
		return string(s), present, nil
	}
	k, err := encodeKey(o)
	if err != nil {
		return "", false, err
	}
	if _, ok := d[k]; ok {
		return k, true, nil
	}
	for _, alt := range keyAlternates(o) {
		if _, ok := d[alt]; ok {
			return alt, true, nil
		}
	}
	return k, false, nil
}

// errKey is KeyError(o): str(e) is repr(o), as in CPython.
func errKey(o py.Object) error {
	if ex, err := py.ExceptionNew(py.KeyError, py.Tuple{o}, nil); err == nil {
		if e, ok := ex.(*py.Exception); ok {
			return e
		}
	}
	return py.ExceptionNewf(py.KeyError, "%s", reprString(o))
}

// dictGet is d[o].
func dictGet(d py.StringDict, o py.Object) (py.Object, error) {
	k, ok, err := findKey(d, o)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errKey(o)
	}
	return d[k], nil
}

// dictSet is d[o] = v; a new key is noted in order (when not nil).
func dictSet(d py.StringDict, o, v py.Object, order keyOrder) error {
	k, ok, err := findKey(d, o)
	if err != nil {
		return err
	}
	if !ok {
		order.add(d, k)
	}
	d[k] = v
	return nil
}

// keyObjects lists the key objects of map keys.
func keyObjects(keys []string) *py.List {
	for _, k := range keys {
		if isEncodedKey(k) {
			out := make([]py.Object, len(keys))
			for i, k := range keys {
				out[i] = decodeKey(k)
			}
			return py.NewListFromItems(out)
		}
	}
	return py.NewListFromStrings(keys)
}

// jsonKeyOf is how CPython's json.dumps writes the key of a map key.
func jsonKeyOf(k string, allowNaN bool) (string, error) {
	if !isEncodedKey(k) {
		return k, nil
	}
	o := decodeKey(k)
	if f, ok := o.(py.Float); ok {
		x := float64(f)
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			if !allowNaN {
				return "", py.ExceptionNewf(py.ValueError, "Out of range float values are not JSON compliant")
			}
			if math.IsNaN(x) {
				return "NaN", nil
			}
			if x > 0 {
				return "Infinity", nil
			}
			return "-Infinity", nil
		}
		return floatRepr(x), nil
	}
	if _, ok := o.(py.Tuple); ok {
		return "", py.ExceptionNewf(py.TypeError, "keys must be str, int, float, bool or None, not tuple")
	}
	return jsonKey(o), nil
}

// getItem is x[k] for the rewrite: str keys of a dict and int indexes
// of lists and tuples first, then encoded dict keys, then gpython.
func getItem(x, k py.Object) (py.Object, error) {
	switch c := x.(type) {
	case py.StringDict:
		if s, ok := k.(py.String); ok {
			if v, ok := c[string(s)]; ok {
				return v, nil
			}
			return nil, errKey(k)
		}
		return dictGet(c, k)
	case *py.List:
		if i, ok := k.(py.Int); ok {
			n := int(i)
			if n < 0 {
				n += len(c.Items)
			}
			if n >= 0 && n < len(c.Items) {
				return c.Items[n], nil
			}
			return nil, py.ExceptionNewf(py.IndexError, "list index out of range")
		}
	case py.Tuple:
		if i, ok := k.(py.Int); ok {
			n := int(i)
			if n < 0 {
				n += len(c)
			}
			if n >= 0 && n < len(c) {
				return c[n], nil
			}
			return nil, py.ExceptionNewf(py.IndexError, "tuple index out of range")
		}
	}
	if b, ok := k.(py.Bool); ok {
		switch x.(type) {
		case *py.List, py.Tuple, py.String:
			k = boolAsInt(b)
		}
	}
	return py.GetItem(x, k)
}

// contains is k in x for the rewrite.
func contains(k, x py.Object) (bool, error) {
	switch c := x.(type) {
	case py.StringDict:
		_, ok, err := findKey(c, k)
		if err != nil {
			if _, unhashable := k.(*py.List); !unhashable {
				return false, nil
			}
		}
		return ok, err
	case *defaultDict:
		_, ok, err := findKey(c.d, k)
		return ok, err
	case *py.Set:
		return setContains(setItems(c), k)
	case *py.FrozenSet:
		return setContains(setItems(&c.Set), k)
	}
	return py.SequenceContains(x, k)
}

// sortEncodedKeys sorts keys as json.dumps(sort_keys=True) does when
// some are not str: by their objects (a TypeError when str and numbers
// mix, as in CPython).
func sortEncodedKeys(keys []string) error {
	enc := false
	for _, k := range keys {
		if isEncodedKey(k) {
			enc = true
			break
		}
	}
	if !enc {
		return nil
	}
	objs := make([]py.Object, len(keys))
	for i, k := range keys {
		objs[i] = decodeKey(k)
	}
	if err := sortObjects(objs, nil, false); err != nil {
		return err
	}
	for i, o := range objs {
		keys[i], _ = encodeKey(o)
	}
	return nil
}
