package pyrt

import "github.com/go-python/gpython/py"

// Builtins that walk a dict themselves. gpython's dict iterator gives the
// map's str keys in Go map order, so enumerate(d), zip(d, x), map(f, d),
// filter(f, d), iter(d), any(d), all(d), sum(d), min(d), sorted(d),
// ",".join(d)... saw the encoded form of non-str keys (keys.go) in a
// random order. Each of them is replaced here by a wrapper that hands
// the original a dict's key objects in insertion order (walkable) and
// leaves every other argument as it is: a type switch, so calls on lists
// and strings cost what they did.

// walkable is what a builtin walking o must see: the key objects of a
// dict in order, the items of a set (decoded, see sets.go); anything
// else as it is.
func (in *Interp) walkable(o py.Object) py.Object {
	switch x := o.(type) {
	case py.StringDict:
		return keyObjects(dictKeys(x, in.order, false))
	case *defaultDict:
		return keyObjects(dictKeys(x.d, in.order, false))
	case *py.Set:
		return setWalkable(x, o)
	case *py.FrozenSet:
		return setWalkable(&x.Set, o)
	}
	return o
}

// walkArgs replaces dicts among args[from:] by walkable; args is copied
// only when something changes.
func (in *Interp) walkArgs(args py.Tuple, from int) py.Tuple {
	var out py.Tuple
	for i := from; i < len(args); i++ {
		switch args[i].(type) {
		case py.StringDict, *defaultDict, *py.Set, *py.FrozenSet:
			w := in.walkable(args[i])
			if w == args[i] {
				continue
			}
			if out == nil {
				out = make(py.Tuple, len(args))
				copy(out, args)
			}
			out[i] = w
		}
	}
	if out == nil {
		return args
	}
	return out
}

// walkingBuiltins wraps the builtins of gpython that walk their
// iterable arguments (from the index given) so that they see walkable.
func (in *Interp) walkingBuiltins(m map[string]py.Object) {
	b := in.sb.store.Builtins.Globals
	wrap := func(name string, from int, orig py.Object) {
		if orig == nil {
			orig = b[name]
		}
		if orig == nil {
			return
		}
		m[name] = method(name, func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if name == "iter" && len(args) != 1 {
				return py.Call(orig, args, kwargs)
			}
			return py.Call(orig, in.walkArgs(args, from), kwargs)
		})
	}
	for _, name := range []string{"zip", "any", "all", "iter"} {
		wrap(name, 0, nil)
	}
	wrap("map", 1, nil)
	wrap("filter", 1, nil)
	for _, name := range []string{"enumerate", "sum", "sorted", "min", "max", "reversed"} {
		wrap(name, 0, m[name])
	}
	// __join__(sep, it) is sep.join(it) (see Rewrite): a dict gives its
	// keys in order, as in CPython.
	m["__join__"] = method("__join__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) == 0 {
			return nil, py.ExceptionNewf(py.TypeError, "join() needs an object")
		}
		if sep, ok := args[0].(py.String); ok && len(args) == 2 && len(kwargs) == 0 {
			return strJoin(sep, in.walkable(args[1]))
		}
		return callMethodArgs(args[0], "join", args[1:], kwargs)
	})
	// __strmethod__(name) is str.<name> taken from the type (see
	// Rewrite): a callable whose first argument is the string.
	m["__strmethod__"] = method("__strmethod__", func(_ py.Object, args py.Tuple) (py.Object, error) {
		name, ok := args[0].(py.String)
		if len(args) != 1 || !ok {
			return nil, py.ExceptionNewf(py.TypeError, "__strmethod__ needs a method name")
		}
		return method(string(name), func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) == 0 {
				return nil, py.ExceptionNewf(py.TypeError, "unbound method str.%s() needs an argument", name)
			}
			if _, ok := args[0].(py.String); !ok {
				return nil, py.ExceptionNewf(py.TypeError, "descriptor '%s' for 'str' objects doesn't apply to a '%s' object", name, args[0].Type().Name)
			}
			return callMethodArgs(args[0], string(name), args[1:], kwargs)
		}), nil
	})
	// __fromkeys__ is dict.fromkeys (see Rewrite), which records the
	// order of the keys.
	m["__fromkeys__"] = method("fromkeys", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		return dictFromKeys(args, kwargs, in.order)
	})
}

// dictFromKeys is dict.fromkeys(iterable, value=None); the key order is
// recorded in order (when not nil).
func dictFromKeys(args py.Tuple, kwargs py.StringDict, order keyOrder) (py.Object, error) {
	a, err := bindArgs("fromkeys", args, kwargs, 1, "iterable", "value")
	if err != nil {
		return nil, err
	}
	var v py.Object = py.None
	if a[1] != nil {
		v = a[1]
	}
	var items []py.Object
	switch x := a[0].(type) {
	case py.StringDict:
		items = keyObjects(dictKeys(x, order, false)).Items
	default:
		if items, err = iterate(a[0]); err != nil {
			return nil, err
		}
	}
	d := py.NewStringDictSized(len(items))
	keys := make([]string, 0, len(items))
	for _, it := range items {
		k, dup, err := findKey(d, it)
		if err != nil {
			return nil, err
		}
		if !dup {
			keys = append(keys, k)
		}
		d[k] = v
	}
	if order != nil && len(keys) > 1 {
		order.set(d, keys)
	}
	return d, nil
}
