package pyrt

import (
	"sort"

	"github.com/go-python/gpython/py"
)

// iterate lists the items of an iterable; a dict gives its keys sorted.
func iterate(o py.Object) ([]py.Object, error) {
	switch x := o.(type) {
	case py.StringDict:
		return keyObjects(sortedKeys(x)).Items, nil
	case *py.Set:
		return setObjects(setItems(x)), nil
	case *py.FrozenSet:
		return setObjects(setItems(&x.Set)), nil
	}
	var out []py.Object
	err := py.Iterate(o, func(it py.Object) bool { out = append(out, it); return false })
	return out, err
}

func sortedKeys(d py.StringDict) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dictUpdate merges a mapping or an iterable of pairs into d.
func dictUpdate(d py.StringDict, src py.Object) error {
	switch m := src.(type) {
	case *defaultDict:
		src = m.d
	case *counter:
		for _, k := range m.keys {
			if err := dictSet(d, k, m.counts[reprString(k)], nil); err != nil {
				return err
			}
		}
		return nil
	}
	if m, ok := src.(py.StringDict); ok {
		for k, v := range m {
			d[k] = v
		}
		return nil
	}
	items, err := iterate(src)
	if err != nil {
		return err
	}
	for i, it := range items {
		pair, err := iterate(it)
		if err != nil || len(pair) != 2 {
			return py.ExceptionNewf(py.ValueError, "dictionary update sequence element #%d has length %d; 2 is required", i, len(pair))
		}
		if err := dictSet(d, pair[0], pair[1], nil); err != nil {
			return err
		}
	}
	return nil
}

func patchContainers() {
	dt := py.StringDictType
	// gpython dicts are Go maps; keys(), values() and items() list them
	// sorted by key so that results do not change from run to run.
	setMethod(dt, "keys", func(self py.Object) (py.Object, error) {
		d := self.(py.StringDict)
		return keyObjects(sortedKeys(d)), nil
	})
	setMethod(dt, "values", func(self py.Object) (py.Object, error) {
		d := self.(py.StringDict)
		out := make([]py.Object, 0, len(d))
		for _, k := range sortedKeys(d) {
			out = append(out, d[k])
		}
		return py.NewListFromItems(out), nil
	})
	setMethod(dt, "items", func(self py.Object) (py.Object, error) {
		d := self.(py.StringDict)
		out := make([]py.Object, 0, len(d))
		for _, k := range sortedKeys(d) {
			out = append(out, py.Tuple{decodeKey(k), d[k]})
		}
		return py.NewListFromItems(out), nil
	})
	setMethod(dt, "get", func(self py.Object, args py.Tuple) (py.Object, error) {
		a, err := bindArgs("get", args, nil, 1, "key", "default")
		if err != nil {
			return nil, err
		}
		if k, ok := a[0].(py.String); ok {
			if v, ok := self.(py.StringDict)[string(k)]; ok {
				return v, nil
			}
		} else if k, ok, err := findKey(self.(py.StringDict), a[0]); err != nil {
			return nil, err
		} else if ok {
			return self.(py.StringDict)[k], nil
		}
		if a[1] == nil {
			return py.None, nil
		}
		return a[1], nil
	})
	setMethod(dt, "update", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		d := self.(py.StringDict)
		if len(args) > 1 {
			return nil, py.ExceptionNewf(py.TypeError, "update expected at most 1 argument, got %d", len(args))
		}
		if len(args) == 1 {
			if err := dictUpdate(d, args[0]); err != nil {
				return nil, err
			}
		}
		for k, v := range kwargs {
			d[k] = v
		}
		return py.None, nil
	})
	setMethod(dt, "pop", func(self py.Object, args py.Tuple) (py.Object, error) {
		a, err := bindArgs("pop", args, nil, 1, "key", "default")
		if err != nil {
			return nil, err
		}
		d := self.(py.StringDict)
		k, ok, err := findKey(d, a[0])
		if err != nil {
			return nil, err
		}
		if ok {
			v := d[k]
			delete(d, k)
			return v, nil
		}
		if a[1] != nil {
			return a[1], nil
		}
		return nil, py.ExceptionNewf(py.KeyError, "%s", reprString(a[0]))
	})
	setMethod(dt, "popitem", func(self py.Object) (py.Object, error) {
		d := self.(py.StringDict)
		keys := sortedKeys(d)
		if len(keys) == 0 {
			return nil, py.ExceptionNewf(py.KeyError, "'popitem(): dictionary is empty'")
		}
		k := keys[len(keys)-1]
		v := d[k]
		delete(d, k)
		return py.Tuple{decodeKey(k), v}, nil
	})
	setMethod(dt, "setdefault", func(self py.Object, args py.Tuple) (py.Object, error) {
		a, err := bindArgs("setdefault", args, nil, 1, "key", "default")
		if err != nil {
			return nil, err
		}
		d := self.(py.StringDict)
		k, _, err := findKey(d, a[0])
		if err != nil {
			return nil, err
		}
		if v, ok := d[k]; ok {
			return v, nil
		}
		v := a[1]
		if v == nil {
			v = py.None
		}
		d[k] = v
		return v, nil
	})
	setMethod(dt, "copy", func(self py.Object) (py.Object, error) { return self.(py.StringDict).Copy(), nil })
	setMethod(dt, "clear", func(self py.Object) (py.Object, error) {
		clear(self.(py.StringDict))
		return py.None, nil
	})

	lt := py.ListType
	setMethod(lt, "insert", func(self py.Object, args py.Tuple) (py.Object, error) {
		a, err := bindArgs("insert", args, nil, 2, "index", "object")
		if err != nil {
			return nil, err
		}
		l := self.(*py.List)
		i, err := intArg("insert", a[0])
		if err != nil {
			return nil, err
		}
		i = clampIndex(i, len(l.Items))
		l.Items = append(l.Items, nil)
		copy(l.Items[i+1:], l.Items[i:])
		l.Items[i] = a[1]
		return py.None, nil
	})
	setMethod(lt, "pop", func(self py.Object, args py.Tuple) (py.Object, error) {
		l := self.(*py.List)
		if len(l.Items) == 0 {
			return nil, py.ExceptionNewf(py.IndexError, "pop from empty list")
		}
		i := len(l.Items) - 1
		if len(args) > 0 {
			n, err := intArg("pop", args[0])
			if err != nil {
				return nil, err
			}
			if n < 0 {
				n += len(l.Items)
			}
			if n < 0 || n >= len(l.Items) {
				return nil, py.ExceptionNewf(py.IndexError, "pop index out of range")
			}
			i = n
		}
		v := l.Items[i]
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return v, nil
	})
	find := func(l []py.Object, x py.Object) (int, error) {
		for i, it := range l {
			eq, err := equal(it, x)
			if err != nil {
				return -1, err
			}
			if eq {
				return i, nil
			}
		}
		return -1, nil
	}
	setMethod(lt, "remove", func(self, x py.Object) (py.Object, error) {
		l := self.(*py.List)
		i, err := find(l.Items, x)
		if err != nil {
			return nil, err
		}
		if i < 0 {
			return nil, py.ExceptionNewf(py.ValueError, "list.remove(x): x not in list")
		}
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return py.None, nil
	})
	index := func(t *py.Type, name string, items func(py.Object) []py.Object) {
		setMethod(t, "index", func(self py.Object, args py.Tuple) (py.Object, error) {
			a, err := bindArgs("index", args, nil, 1, "value", "start", "stop")
			if err != nil {
				return nil, err
			}
			all := items(self)
			lo, hi := 0, len(all)
			if a[1] != nil {
				v, err := intArg("index", a[1])
				if err != nil {
					return nil, err
				}
				lo = clampIndex(v, len(all))
			}
			if a[2] != nil {
				v, err := intArg("index", a[2])
				if err != nil {
					return nil, err
				}
				hi = clampIndex(v, len(all))
			}
			if lo < hi {
				i, err := find(all[lo:hi], a[0])
				if err != nil {
					return nil, err
				}
				if i >= 0 {
					return py.Int(lo + i), nil
				}
			}
			return nil, py.ExceptionNewf(py.ValueError, "%s.index(x): x not in %s", name, name)
		})
		setMethod(t, "count", func(self, x py.Object) (py.Object, error) {
			n := 0
			for _, it := range items(self) {
				eq, err := equal(it, x)
				if err != nil {
					return nil, err
				}
				if eq {
					n++
				}
			}
			return py.Int(n), nil
		})
	}
	index(lt, "list", func(o py.Object) []py.Object { return o.(*py.List).Items })
	index(py.TupleType, "tuple", func(o py.Object) []py.Object { return o.(py.Tuple) })
	setMethod(lt, "reverse", func(self py.Object) (py.Object, error) {
		l := self.(*py.List).Items
		for i, j := 0, len(l)-1; i < j; i, j = i+1, j-1 {
			l[i], l[j] = l[j], l[i]
		}
		return py.None, nil
	})
	setMethod(lt, "copy", func(self py.Object) (py.Object, error) { return self.(*py.List).Copy(), nil })
	setMethod(lt, "clear", func(self py.Object) (py.Object, error) {
		self.(*py.List).Items = nil
		return py.None, nil
	})
	setMethod(lt, "sort", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("sort", args, kwargs, 0, "key", "reverse")
		if err != nil {
			return nil, err
		}
		rev := false
		if a[1] != nil {
			if rev, err = truthy(a[1]); err != nil {
				return nil, err
			}
		}
		return py.None, sortObjects(self.(*py.List).Items, a[0], rev)
	})

	patchSets()
}
