package pyrt

import (
	"sort"

	"github.com/go-python/gpython/py"
)

// lessThan is a < b with what gpython lacks: tuples and lists compare
// element by element, bools compare as ints, instances of user classes
// use their __lt__ (gpython's operators never call user methods).
func lessThan(a, b py.Object) (bool, error) {
	a, b = boolAsInt(a), boolAsInt(b)
	as, aok := seqItems(a)
	bs, bok := seqItems(b)
	if aok && bok {
		for i := 0; i < len(as) && i < len(bs); i++ {
			eq, err := equal(as[i], bs[i])
			if err != nil {
				return false, err
			}
			if !eq {
				return lessThan(as[i], bs[i])
			}
		}
		return len(as) < len(bs), nil
	}
	if res, ok, err := py.TypeCall1(a, "__lt__", b); ok && isUserInstance(a) {
		if err != nil {
			return false, err
		}
		if res != py.NotImplemented {
			return truthy(res)
		}
	}
	if res, ok, err := py.TypeCall1(b, "__gt__", a); ok && isUserInstance(b) {
		if err != nil {
			return false, err
		}
		if res != py.NotImplemented {
			return truthy(res)
		}
	}
	res, err := py.Lt(a, b)
	if err != nil {
		return false, py.ExceptionNewf(py.TypeError, "'<' not supported between instances of '%s' and '%s'", a.Type().Name, b.Type().Name)
	}
	return truthy(res)
}

func equal(a, b py.Object) (bool, error) {
	res, err := py.Eq(boolAsInt(a), boolAsInt(b))
	if err != nil {
		return false, err
	}
	return truthy(res)
}

func truthy(o py.Object) (bool, error) {
	r, err := py.MakeBool(o)
	if err != nil {
		return false, err
	}
	return r == py.True, nil
}

func boolAsInt(o py.Object) py.Object {
	if b, ok := o.(py.Bool); ok {
		if b {
			return py.Int(1)
		}
		return py.Int(0)
	}
	return o
}

// seqItems returns the items of a list or tuple.
func seqItems(o py.Object) ([]py.Object, bool) {
	switch x := o.(type) {
	case py.Tuple:
		return x, true
	case *py.List:
		return x.Items, true
	}
	return nil, false
}

// isUserInstance reports whether o is an instance of a class defined in
// Python (gpython represents those as *py.Type).
func isUserInstance(o py.Object) bool {
	_, ok := o.(*py.Type)
	return ok
}

// sortObjects sorts items in place, stably, by key (when not nil).
func sortObjects(items []py.Object, key py.Object, reverse bool) error {
	keys := items
	if key != nil && key != py.None {
		keys = make([]py.Object, len(items))
		for i, it := range items {
			k, err := py.Call(key, py.Tuple{it}, nil)
			if err != nil {
				return err
			}
			keys[i] = k
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(i, j int) bool {
		if cmpErr != nil {
			return false
		}
		x, y := keys[idx[i]], keys[idx[j]]
		if reverse {
			x, y = y, x
		}
		lt, err := lessThan(x, y)
		if err != nil {
			cmpErr = err
		}
		return lt
	})
	if cmpErr != nil {
		return cmpErr
	}
	sorted := make([]py.Object, len(items))
	for i, k := range idx {
		sorted[i] = items[k]
	}
	copy(items, sorted)
	return nil
}
