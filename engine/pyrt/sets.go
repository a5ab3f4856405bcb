package pyrt

import (
	"reflect"
	"unsafe"

	"github.com/go-python/gpython/py"
)

// Sets of tuples. gpython's set is a Go map keyed by the object itself,
// and a tuple (a Go slice) cannot be a Go map key: adding one panicked
// in the Go runtime, past any try/except of the user's code. Sluice
// keeps a tuple (and a big int) in a set under its encoded dict key (see
// keys.go: a str starting with the byte 0xff, which no Python str can
// be), and str, int, float, bool and None as themselves. Every set is
// built through setKey: set displays and comprehensions are rewritten
// to __set__ and __setc__ (see Rewrite), set() and frozenset() are
// patched, and add, discard, remove, the set methods and x in s encode
// the item. What reads a set decodes it again: for loops (__it__), the
// builtins that walk their argument (walk.go), repr, sorted, list, the
// set methods. Equal numbers are one item ({1, 1.0, True} is {1}), as
// in CPython; inside a tuple 1 and 1.0 stay different (as for dicts).

// setKey is the object under which a set holds o.
func setKey(o py.Object) (py.Object, error) {
	switch o.(type) {
	case py.String, py.Int, py.Float, py.Bool, py.NoneType:
		return o, nil
	case py.Tuple, *py.BigInt:
		k, err := encodeKey(o)
		if err != nil {
			return nil, setItemError(o, err)
		}
		return py.String(k), nil
	case *py.List, py.StringDict, *py.Set, *defaultDict, *counter, py.Bytes:
		return nil, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", o.Type().Name)
	}
	if t := reflect.TypeOf(o); t == nil || !t.Comparable() {
		return nil, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", o.Type().Name)
	}
	return o, nil // instances and other objects: by identity
}

// setItemError words the error of a tuple that holds something a set
// cannot take (the key encoding speaks of dict keys).
func setItemError(o py.Object, err error) error {
	if t, ok := o.(py.Tuple); ok {
		for _, e := range t {
			switch e.(type) {
			case *py.List, py.StringDict, *py.Set:
				return py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", e.Type().Name)
			}
		}
		return py.ExceptionNewf(py.TypeError, "set items that are tuples may hold str, int, float, bool, None and tuples of those in transforms")
	}
	return err
}

// setDecode is the item a set holds under k.
func setDecode(k py.Object) py.Object {
	if s, ok := k.(py.String); ok && isEncodedKey(string(s)) {
		return decodeKey(string(s))
	}
	return k
}

// numberAlternates are the objects of other types equal to o (1, 1.0,
// True), under which a set may hold it.
func numberAlternates(o py.Object) []py.Object {
	var n int64
	switch x := o.(type) {
	case py.Int:
		n = int64(x)
		alts := []py.Object{py.Float(n)}
		if n == 0 || n == 1 {
			alts = append(alts, py.NewBool(n == 1))
		}
		return alts
	case py.Bool:
		if x {
			n = 1
		}
		return []py.Object{py.Int(n), py.Float(n)}
	case py.Float:
		f := float64(x)
		if f != float64(int64(f)) {
			return nil
		}
		n = int64(f)
		alts := []py.Object{py.Int(n)}
		if n == 0 || n == 1 {
			alts = append(alts, py.NewBool(n == 1))
		}
		return alts
	}
	return nil
}

// findSetKey returns the key under which m holds o (or would) and
// whether it is there.
func findSetKey(m map[py.Object]py.SetValue, o py.Object) (py.Object, bool, error) {
	k, err := setKey(o)
	if err != nil {
		return nil, false, err
	}
	if _, ok := m[k]; ok {
		return k, true, nil
	}
	for _, alt := range numberAlternates(o) {
		if _, ok := m[alt]; ok {
			return alt, true, nil
		}
	}
	return k, false, nil
}

// setAdd adds o to m (nothing when an equal item is there).
func setAdd(m map[py.Object]py.SetValue, o py.Object) error {
	k, ok, err := findSetKey(m, o)
	if err == nil && !ok {
		m[k] = py.SetValue{}
	}
	return err
}

// newSet is a set of items.
func newSet(items []py.Object) (*py.Set, error) {
	s := py.NewSetWithCapacity(len(items))
	m := setItems(s)
	for _, it := range items {
		if err := setAdd(m, it); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// setOf is set(iterable): a dict gives its keys.
func setOf(o py.Object) (*py.Set, error) {
	items, err := iterate(o)
	if err != nil {
		return nil, err
	}
	return newSet(items)
}

// copySet copies the items of a set or frozenset as they are held.
func copySet(m map[py.Object]py.SetValue) *py.Set {
	s := py.NewSetWithCapacity(len(m))
	n := setItems(s)
	for k := range m {
		n[k] = py.SetValue{}
	}
	return s
}

// setItemsOffset is where py.Set keeps its map (see setItems).
var setItemsOffset = func() uintptr {
	f, ok := reflect.TypeOf(py.Set{}).FieldByName("items")
	if !ok || f.Type != reflect.TypeOf(map[py.Object]py.SetValue(nil)) {
		panic("pyrt: py.Set has no items map")
	}
	return f.Offset
}()

// setItems reaches the private map of a gpython set: py.Set exports Add
// but no way to delete or look up, and discard/remove/pop need one.
func setItems(s *py.Set) map[py.Object]py.SetValue {
	return *(*map[py.Object]py.SetValue)(unsafe.Add(unsafe.Pointer(s), setItemsOffset))
}

// anySetItems is the map of a set or frozenset.
func anySetItems(o py.Object) (map[py.Object]py.SetValue, bool) {
	switch x := o.(type) {
	case *py.Set:
		return setItems(x), true
	case *py.FrozenSet:
		return setItems(&x.Set), true
	}
	return nil, false
}

// setObjects lists the items of a set, decoded.
func setObjects(m map[py.Object]py.SetValue) []py.Object {
	out := make([]py.Object, 0, len(m))
	for k := range m {
		out = append(out, setDecode(k))
	}
	return out
}

// setWalkable is o when its set holds no encoded item (the common case:
// gpython's iterator is right), else its items decoded.
func setWalkable(s *py.Set, o py.Object) py.Object {
	m := setItems(s)
	for k := range m {
		if str, ok := k.(py.String); ok && isEncodedKey(string(str)) {
			return py.Tuple(setObjects(m))
		}
	}
	return o
}

// setContains is x in s.
func setContains(m map[py.Object]py.SetValue, x py.Object) (bool, error) {
	if s, ok := x.(py.String); ok {
		_, ok := m[s]
		return ok, nil
	}
	_, ok, err := findSetKey(m, x)
	return ok, err
}

// patchSets makes set(), frozenset() and the set methods go through
// setKey.
func patchSets() {
	py.SetType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("set", args, kwargs, 0, "iterable")
		if err != nil {
			return nil, err
		}
		if a[0] == nil {
			return py.NewSet(), nil
		}
		return setOf(a[0])
	}
	py.FrozenSetType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("frozenset", args, kwargs, 0, "iterable")
		if err != nil {
			return nil, err
		}
		if a[0] == nil {
			return py.NewFrozenSet(), nil
		}
		s, err := setOf(a[0])
		if err != nil {
			return nil, err
		}
		return &py.FrozenSet{Set: *s}, nil
	}
	st := py.SetType
	setMethod(st, "add", func(self, x py.Object) (py.Object, error) {
		return py.None, setAdd(setItems(self.(*py.Set)), x)
	})
	setMethod(st, "discard", func(self, x py.Object) (py.Object, error) {
		m := setItems(self.(*py.Set))
		k, ok, err := findSetKey(m, x)
		if ok {
			delete(m, k)
		}
		return py.None, err
	})
	setMethod(st, "remove", func(self, x py.Object) (py.Object, error) {
		m := setItems(self.(*py.Set))
		k, ok, err := findSetKey(m, x)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errKey(x)
		}
		delete(m, k)
		return py.None, nil
	})
	setMethod(st, "pop", func(self py.Object) (py.Object, error) {
		m := setItems(self.(*py.Set))
		items, _ := sortedItems(self)
		if len(items) == 0 {
			return nil, py.ExceptionNewf(py.KeyError, "'pop from an empty set'")
		}
		if k, ok, _ := findSetKey(m, items[0]); ok {
			delete(m, k)
		}
		return items[0], nil
	})
	setMethod(st, "clear", func(self py.Object) (py.Object, error) {
		clear(setItems(self.(*py.Set)))
		return py.None, nil
	})
	setMethod(st, "copy", func(self py.Object) (py.Object, error) {
		return copySet(setItems(self.(*py.Set))), nil
	})
	setMethod(st, "update", func(self py.Object, args py.Tuple) (py.Object, error) {
		m := setItems(self.(*py.Set))
		for _, a := range args {
			other, err := heldItems(a)
			if err != nil {
				return nil, err
			}
			for k := range other {
				if _, ok, _ := findSetKey(m, setDecode(k)); !ok {
					m[k] = py.SetValue{}
				}
			}
		}
		return py.None, nil
	})
	// The operations work on the items as held (encoded).
	setOp := func(t *py.Type, name string, frozen bool) {
		setMethod(t, name, func(self py.Object, args py.Tuple) (py.Object, error) {
			self0, _ := anySetItems(self)
			acc := self0
			for _, other := range args {
				b, err := heldItems(other)
				if err != nil {
					return nil, err
				}
				switch name {
				case "issubset", "issuperset", "isdisjoint":
					small, big := acc, b
					if name == "issuperset" {
						small, big = b, acc
					}
					for k := range small {
						_, in := big[k]
						if name == "isdisjoint" && in {
							return py.False, nil
						}
						if name != "isdisjoint" && !in {
							return py.False, nil
						}
					}
					return py.True, nil
				}
				next := make(map[py.Object]py.SetValue, len(acc))
				for k := range acc {
					_, in := b[k]
					if name == "union" || (name == "intersection") == in {
						next[k] = py.SetValue{}
					}
				}
				if name == "union" || name == "symmetric_difference" {
					for k := range b {
						if _, in := acc[k]; !in {
							next[k] = py.SetValue{}
						}
					}
				}
				acc = next
			}
			out := copySet(acc)
			if frozen {
				return &py.FrozenSet{Set: *out}, nil
			}
			return out, nil
		})
	}
	for _, name := range []string{"union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint"} {
		setOp(st, name, false)
		setOp(py.FrozenSetType, name, true)
	}
	setMethod(py.FrozenSetType, "copy", func(self py.Object) (py.Object, error) { return self, nil })
}

// heldItems is the items of a set as held, or of any other iterable as a
// set would hold them.
func heldItems(o py.Object) (map[py.Object]py.SetValue, error) {
	if m, ok := anySetItems(o); ok {
		return m, nil
	}
	s, err := setOf(o)
	if err != nil {
		return nil, err
	}
	return setItems(s), nil
}
