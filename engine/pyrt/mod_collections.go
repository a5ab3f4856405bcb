package pyrt

import (
	"sort"
	"strings"

	"github.com/go-python/gpython/py"
)

// collections: Counter, defaultdict and OrderedDict. gpython cannot
// subclass dict usefully, so these are Go types; defaultdict forwards the
// dict methods to the dict it holds. json.dumps and the transform's
// output treat them as dicts.

type defaultDict struct {
	d       py.StringDict
	factory py.Object
	keys    []string // insertion order, as far as this type sees it
}

// orderedKeys returns the keys in insertion order.
func (d *defaultDict) orderedKeys() []string {
	keys := make([]string, 0, len(d.d))
	seen := make(map[string]bool, len(d.d))
	for _, k := range d.keys {
		if _, ok := d.d[k]; ok && !seen[k] {
			keys = append(keys, k)
			seen[k] = true
		}
	}
	if len(keys) == len(d.d) {
		return keys
	}
	var extra []string
	for k := range d.d {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(keys, extra...)
}

var defaultDictType = ready(py.NewType("defaultdict", "dict with a default for missing keys."))

func (d *defaultDict) Type() *py.Type { return defaultDictType }

func (d *defaultDict) M__getitem__(k py.Object) (py.Object, error) {
	key, ok, err := findKey(d.d, k)
	if err != nil {
		return nil, err
	}
	if ok {
		return d.d[key], nil
	}
	if d.factory == nil || d.factory == py.None {
		return nil, py.ExceptionNewf(py.KeyError, "%s", reprString(k))
	}
	v, err := py.Call(d.factory, nil, nil)
	if err != nil {
		return nil, err
	}
	d.d[key] = v
	d.keys = append(d.keys, key)
	return v, nil
}
func (d *defaultDict) M__setitem__(k, v py.Object) (py.Object, error) {
	key, present, err := findKey(d.d, k)
	if err != nil {
		return nil, err
	}
	if !present {
		d.keys = append(d.keys, key)
	}
	d.d[key] = v
	return py.None, nil
}
func (d *defaultDict) M__delitem__(k py.Object) (py.Object, error) {
	key, ok, err := findKey(d.d, k)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errKey(k)
	}
	delete(d.d, key)
	return py.None, nil
}
func (d *defaultDict) M__contains__(k py.Object) (py.Object, error) {
	ok, err := contains(k, d)
	return py.NewBool(ok), err
}
func (d *defaultDict) M__len__() (py.Object, error) { return py.Int(len(d.d)), nil }
func (d *defaultDict) M__iter__() (py.Object, error) {
	return py.NewIterator(keyObjects(d.orderedKeys())), nil
}
func (d *defaultDict) M__eq__(o py.Object) (py.Object, error) {
	if x, ok := o.(*defaultDict); ok {
		return d.d.M__eq__(x.d)
	}
	return d.d.M__eq__(o)
}
func (d *defaultDict) M__repr__() (py.Object, error) {
	f := "None"
	if d.factory != nil && d.factory != py.None {
		if t, ok := d.factory.(*py.Type); ok {
			f = "<class '" + t.Name + "'>"
		} else {
			f = reprString(d.factory)
		}
	}
	return py.String("defaultdict(" + f + ", " + reprString(d.d) + ")"), nil
}
func (d *defaultDict) M__getattr__(name string) (py.Object, error) {
	if name == "default_factory" {
		if d.factory == nil {
			return py.None, nil
		}
		return d.factory, nil
	}
	if m, ok := py.StringDictType.Dict[name].(*py.Method); ok {
		return py.NewBoundMethod(d.d, m), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'collections.defaultdict' object has no attribute '%s'", name)
}

// counter keeps keys of any hashable type, in insertion order.
type counter struct {
	keys   []py.Object
	counts map[string]py.Object // by repr of the key
}

var counterType = ready(py.NewType("Counter", "Dict subclass for counting hashable items."))

func (c *counter) Type() *py.Type { return counterType }

func newCounter() *counter { return &counter{counts: map[string]py.Object{}} }

func (c *counter) add(k py.Object, n py.Object) error {
	id := reprString(k)
	cur, ok := c.counts[id]
	if !ok {
		c.keys = append(c.keys, k)
		cur = py.Int(0)
	}
	v, err := py.Add(cur, boolAsInt(n))
	if err != nil {
		return err
	}
	c.counts[id] = v
	return nil
}

func (c *counter) update(src py.Object, sign int) error {
	if src == nil || src == py.None {
		return nil
	}
	mul := func(v py.Object) (py.Object, error) {
		if sign < 0 {
			return py.Neg(boolAsInt(v))
		}
		return v, nil
	}
	switch x := src.(type) {
	case py.StringDict:
		for _, k := range sortedKeys(x) {
			v, err := mul(x[k])
			if err != nil {
				return err
			}
			if err := c.add(py.String(k), v); err != nil {
				return err
			}
		}
		return nil
	case *counter:
		for _, k := range x.keys {
			v, err := mul(x.counts[reprString(k)])
			if err != nil {
				return err
			}
			if err := c.add(k, v); err != nil {
				return err
			}
		}
		return nil
	}
	items, err := iterate(src)
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := c.add(it, py.Int(sign)); err != nil {
			return err
		}
	}
	return nil
}

func (c *counter) M__getitem__(k py.Object) (py.Object, error) {
	if v, ok := c.counts[reprString(k)]; ok {
		return v, nil
	}
	return py.Int(0), nil
}
func (c *counter) M__setitem__(k, v py.Object) (py.Object, error) {
	id := reprString(k)
	if _, ok := c.counts[id]; !ok {
		c.keys = append(c.keys, k)
	}
	c.counts[id] = v
	return py.None, nil
}
func (c *counter) M__delitem__(k py.Object) (py.Object, error) {
	id := reprString(k)
	if _, ok := c.counts[id]; ok {
		delete(c.counts, id)
		for i, x := range c.keys {
			if reprString(x) == id {
				c.keys = append(c.keys[:i], c.keys[i+1:]...)
				break
			}
		}
	}
	return py.None, nil
}
func (c *counter) M__contains__(k py.Object) (py.Object, error) {
	_, ok := c.counts[reprString(k)]
	return py.NewBool(ok), nil
}
func (c *counter) M__len__() (py.Object, error) { return py.Int(len(c.keys)), nil }
func (c *counter) M__iter__() (py.Object, error) {
	return py.NewIterator(py.Tuple(append([]py.Object(nil), c.keys...))), nil
}
func (c *counter) M__repr__() (py.Object, error) {
	var parts []string
	for _, k := range c.sorted() {
		parts = append(parts, reprString(k)+": "+reprString(c.counts[reprString(k)]))
	}
	return py.String("Counter({" + strings.Join(parts, ", ") + "})"), nil
}

// sorted returns the keys by count, highest first, ties in insertion order.
func (c *counter) sorted() []py.Object {
	keys := append([]py.Object(nil), c.keys...)
	sort.SliceStable(keys, func(i, j int) bool {
		lt, _ := lessThan(c.counts[reprString(keys[j])], c.counts[reprString(keys[i])])
		return lt
	})
	return keys
}

// asDict converts to a dict for JSON: keys as json.dumps writes them.
func (c *counter) asDict() py.StringDict {
	d := py.NewStringDict()
	for _, k := range c.keys {
		d[jsonKey(k)] = c.counts[reprString(k)]
	}
	return d
}

// jsonKey is how CPython's json writes a non-str dict key.
func jsonKey(k py.Object) string {
	switch x := k.(type) {
	case py.String:
		return string(x)
	case py.Bool:
		if x {
			return "true"
		}
		return "false"
	case py.NoneType:
		return "null"
	}
	return strString(k)
}

func init() {
	defaultDictType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		d := &defaultDict{d: py.NewStringDict()}
		if len(args) > 0 {
			d.factory = args[0]
			if len(args) > 1 {
				if err := dictUpdate(d.d, args[1]); err != nil {
					return nil, err
				}
			}
		}
		for k, v := range kwargs {
			d.d[k] = v
		}
		return d, nil
	}
	counterType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		c := newCounter()
		if len(args) > 0 {
			if err := c.update(args[0], 1); err != nil {
				return nil, err
			}
		}
		if len(kwargs) > 0 {
			if err := c.update(kwargs, 1); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	cd := counterType.Dict
	cd["most_common"] = method("most_common", func(self py.Object, args py.Tuple) (py.Object, error) {
		c := self.(*counter)
		keys := c.sorted()
		if len(args) > 0 && args[0] != py.None {
			n, err := intArg("most_common", args[0])
			if err != nil {
				return nil, err
			}
			if n < len(keys) {
				keys = keys[:max(n, 0)]
			}
		}
		out := make([]py.Object, len(keys))
		for i, k := range keys {
			out[i] = py.Tuple{k, c.counts[reprString(k)]}
		}
		return py.NewListFromItems(out), nil
	})
	cd["update"] = method("update", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		c := self.(*counter)
		for _, a := range args {
			if err := c.update(a, 1); err != nil {
				return nil, err
			}
		}
		return py.None, c.update(kwargs, 1)
	})
	cd["subtract"] = method("subtract", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		c := self.(*counter)
		for _, a := range args {
			if err := c.update(a, -1); err != nil {
				return nil, err
			}
		}
		return py.None, c.update(kwargs, -1)
	})
	cd["total"] = method("total", func(self py.Object) (py.Object, error) {
		c := self.(*counter)
		var acc py.Object = py.Int(0)
		for _, k := range c.keys {
			var err error
			if acc, err = py.Add(acc, c.counts[reprString(k)]); err != nil {
				return nil, err
			}
		}
		return acc, nil
	})
	cd["elements"] = method("elements", func(self py.Object) (py.Object, error) {
		c := self.(*counter)
		var out py.Tuple
		for _, k := range c.keys {
			if n, ok := c.counts[reprString(k)].(py.Int); ok {
				for i := 0; i < int(n); i++ {
					out = append(out, k)
				}
			}
		}
		return py.NewIterator(out), nil
	})
	cd["get"] = method("get", func(self py.Object, args py.Tuple) (py.Object, error) {
		a, err := bindArgs("get", args, nil, 1, "key", "default")
		if err != nil {
			return nil, err
		}
		if v, ok := self.(*counter).counts[reprString(a[0])]; ok {
			return v, nil
		}
		if a[1] == nil {
			return py.None, nil
		}
		return a[1], nil
	})
	cd["keys"] = method("keys", func(self py.Object) (py.Object, error) {
		return py.NewListFromItems(append([]py.Object(nil), self.(*counter).keys...)), nil
	})
	cd["values"] = method("values", func(self py.Object) (py.Object, error) {
		c := self.(*counter)
		out := make([]py.Object, len(c.keys))
		for i, k := range c.keys {
			out[i] = c.counts[reprString(k)]
		}
		return py.NewListFromItems(out), nil
	})
	cd["items"] = method("items", func(self py.Object) (py.Object, error) {
		c := self.(*counter)
		out := make([]py.Object, len(c.keys))
		for i, k := range c.keys {
			out[i] = py.Tuple{k, c.counts[reprString(k)]}
		}
		return py.NewListFromItems(out), nil
	})
	for _, t := range []*py.Type{defaultDictType, counterType} {
		t.Dict["__name__"] = py.String(t.Name)
	}
	registerModule("collections", "Counter, defaultdict, OrderedDict (a plain dict: see docs/python.md on key order).", []*py.Method{
		method("OrderedDict", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			return py.StringDictType.New(py.StringDictType, args, kwargs)
		}),
	}, py.StringDict{"defaultdict": defaultDictType, "Counter": counterType}, "")
}
