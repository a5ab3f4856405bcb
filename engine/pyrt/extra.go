package pyrt

import (
	"hash/fnv"
	"math"
	"math/big"
	"math/rand"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

type pyRandom struct{ r *rand.Rand }

func newRandom(seed int64) *pyRandom { return &pyRandom{r: rand.New(rand.NewSource(seed))} }

func init() { patchTypes() }

// patchTypes fixes constructors and attributes of gpython's built-in
// types that differ from CPython.
func patchTypes() {
	// bool(x): gpython's bool type has no constructor.
	py.BoolType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) == 0 {
			return py.False, nil
		}
		return py.MakeBool(args[0])
	}
	// int(True) fails in gpython; bools are ints in CPython.
	intNew := py.IntType.New
	py.IntType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if base, ok := kwargs["base"]; ok && len(args) == 1 && len(kwargs) == 1 {
			args, kwargs = py.Tuple{args[0], base}, nil // int(s, base=16)
		}
		if len(args) == 1 {
			if b, ok := args[0].(py.Bool); ok {
				return boolAsInt(b), nil
			}
		}
		return intNew(t, args, kwargs)
	}
	// str(x) with CPython's float and container formatting, and
	// str(bytes, encoding).
	py.StringType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("str", args, kwargs, 0, "object", "encoding", "errors")
		if err != nil {
			return nil, err
		}
		if a[0] == nil {
			return py.String(""), nil
		}
		if b, ok := a[0].(py.Bytes); ok && a[1] != nil {
			return decodeBytes(b, a[1])
		}
		s, err := strOf(a[0])
		if err != nil {
			return nil, err
		}
		return py.String(s), nil
	}
	// dict(mapping) and dict(pairs, **kw); gpython takes only pairs.
	py.StringDictType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		d := py.NewStringDict()
		if len(args) > 1 {
			return nil, py.ExceptionNewf(py.TypeError, "dict expected at most 1 argument, got %d", len(args))
		}
		if len(args) == 1 {
			if err := dictUpdate(d, args[0]); err != nil {
				return nil, err
			}
		}
		for k, v := range kwargs {
			d[k] = v
		}
		return d, nil
	}
	// list(d) and tuple(d) list a dict's keys sorted, as for loops do
	// (see Rewrite).
	for _, t := range []*py.Type{py.ListType, py.TupleType} {
		orig, isList := t.New, t == py.ListType
		t.New = func(mt *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) == 1 {
				var items []py.Object
				switch x := args[0].(type) {
				case py.StringDict:
					items = keyObjects(sortedKeys(x)).Items
				case *py.Set, *py.FrozenSet:
					items, _ = iterate(x)
				}
				if items != nil {
					if isList {
						return py.NewListFromItems(items), nil
					}
					return py.Tuple(items), nil
				}
			}
			return orig(mt, args, kwargs)
		}
	}
	setMethod(py.BytesType, "decode", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("decode", args, kwargs, 0, "encoding", "errors")
		if err != nil {
			return nil, err
		}
		return decodeBytes(self.(py.Bytes), a[0])
	})
	setMethod(py.BytesType, "hex", func(self py.Object) (py.Object, error) {
		const digits = "0123456789abcdef"
		b := self.(py.Bytes)
		out := make([]byte, 0, 2*len(b))
		for _, c := range b {
			out = append(out, digits[c>>4], digits[c&0xF])
		}
		return py.String(out), nil
	})
	// type(x).__name__ for the built-in types and exceptions.
	if impl := py.GetModuleImpl("builtins"); impl != nil {
		for _, v := range impl.Globals {
			if t, ok := v.(*py.Type); ok && t.Dict != nil {
				if _, has := t.Dict["__name__"]; !has {
					t.Dict["__name__"] = py.String(t.Name)
				}
			}
		}
	}
	for _, t := range []*py.Type{py.IntType, py.FloatType, py.StringType, py.BoolType, py.ListType, py.TupleType,
		py.StringDictType, py.SetType, py.FrozenSetType, py.BytesType, py.NoneTypeType, py.BigIntType, ModuleNotFoundError} {
		if t.Dict == nil {
			t.Dict = py.StringDict{}
		}
		t.Dict["__name__"] = py.String(t.Name)
	}
	py.StringDictType.Dict["__name__"] = py.String("dict")
	py.NoneTypeType.Dict["__name__"] = py.String("NoneType")
}

func decodeBytes(b py.Bytes, enc py.Object) (py.Object, error) {
	e := "utf-8"
	if enc != nil && enc != py.None {
		s, err := strArg("decode", enc)
		if err != nil {
			return nil, err
		}
		e = s
	}
	switch e {
	case "utf-8", "utf8", "UTF-8", "UTF8":
		if !utf8.Valid(b) {
			return nil, py.ExceptionNewf(py.ValueError, "'utf-8' codec can't decode bytes: invalid utf-8")
		}
		return py.String(b), nil
	case "ascii", "latin-1", "latin1", "iso-8859-1":
		rs := make([]rune, len(b))
		for i, c := range b {
			if e == "ascii" && c >= 0x80 {
				return nil, py.ExceptionNewf(py.ValueError, "'ascii' codec can't decode byte 0x%02x in position %d", c, i)
			}
			rs[i] = rune(c)
		}
		return py.String(string(rs)), nil
	}
	return nil, py.ExceptionNewf(py.LookupError, "unknown encoding: %s", e)
}

// extraBuiltins are builtins that gpython lacks or gets wrong, plus the
// helpers the source rewrite calls (__pct__, __merge__).
func extraBuiltins(in *Interp) map[string]py.Object {
	b := py.GetModuleImpl("builtins")
	origIsinstance := findMethod(b, "isinstance")
	origLen := findMethod(b, "len")
	origBuildClass := findMethod(b, "__build_class__")
	m := map[string]py.Object{
		// Classes deriving from an exception are not marked as such by
		// gpython, so "except MyError" refused them; mark them here.
		"__build_class__": method("__build_class__", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) > 2 && len(kwargs) == 0 {
				for _, base := range args[2:] {
					if bt, ok := base.(*py.Type); ok && bt.IsSubtype(py.BaseException) {
						// gpython takes an exception type for the metaclass
						// of its subclasses (and ignores metaclass=), so
						// "class E(Exception)" made an exception instance,
						// not a class. Build it with type() instead.
						return buildExceptionClass(args)
					}
				}
			}
			res, err := py.Call(origBuildClass, args, kwargs)
			if err != nil {
				return nil, err
			}
			if t, ok := res.(*py.Type); ok && t.IsSubtype(py.BaseException) {
				t.Flags |= py.TPFLAGS_BASE_EXC_SUBCLASS
			}
			return res, nil
		}),
		"len": method("len", func(self, o py.Object) (py.Object, error) {
			if b, ok := o.(py.Bytes); ok {
				return py.Int(len(b)), nil
			}
			return origLen.Call(self, py.Tuple{o})
		}),
		"__pct__": method("__pct__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			l, r := args[0], args[1]
			if s, ok := l.(py.String); ok {
				out, err := percentOrdered(string(s), r, in.order)
				if err != nil {
					return nil, err
				}
				return py.String(out), nil
			}
			return py.Mod(boolAsInt(l), boolAsInt(r))
		}),
		"__plus__": method("__plus__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			return plus(args[0], args[1])
		}),
		"__iplus__": method("__iplus__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			return iplus(args[0], args[1])
		}),
		"__it__": method("__it__", func(_, o py.Object) (py.Object, error) {
			switch x := o.(type) {
			case py.StringDict:
				return py.NewIterator(keyObjects(dictKeys(x, in.order, false))), nil
			case *defaultDict:
				return py.NewIterator(keyObjects(dictKeys(x.d, in.order, false))), nil
			case *py.Set, *py.FrozenSet:
				return in.walkable(o), nil
			}
			return o, nil
		}),
		"__set__": method("__set__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			return newSet(args)
		}),
		"__setc__": method("__setc__", func(_, o py.Object) (py.Object, error) {
			if l, ok := o.(*py.List); ok {
				return newSet(l.Items)
			}
			return setOf(o)
		}),
		"__list__": method("__list__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) == 1 && len(kwargs) == 0 {
				if d, ok := args[0].(py.StringDict); ok {
					return keyObjects(dictKeys(d, in.order, false)), nil
				}
				if m, ok := anySetItems(args[0]); ok {
					return py.NewListFromItems(setObjects(m)), nil
				}
			}
			return py.ListType.M__call__(args, kwargs)
		}),
		"__tuple__": method("__tuple__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) == 1 && len(kwargs) == 0 {
				if d, ok := args[0].(py.StringDict); ok {
					return py.Tuple(keyObjects(dictKeys(d, in.order, false)).Items), nil
				}
				if m, ok := anySetItems(args[0]); ok {
					return py.Tuple(setObjects(m)), nil
				}
			}
			return py.TupleType.M__call__(args, kwargs)
		}),
		"__dict_new__": method("__dict_new__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			res, err := py.StringDictType.M__call__(args, kwargs)
			if err != nil || len(args) != 1 {
				return res, err
			}
			d := res.(py.StringDict)
			var keys []string
			switch src := args[0].(type) {
			case py.StringDict:
				keys = dictKeys(src, in.order, false)
			case *defaultDict:
				keys = src.orderedKeys()
			case *counter:
				for _, k := range src.keys {
					keys = append(keys, jsonKey(k))
				}
			case *py.List, py.Tuple:
				items, _ := seqItems(src)
				for _, it := range items {
					if pair, ok := seqItems(it); ok && len(pair) == 2 {
						if k, ok := pair[0].(py.String); ok {
							keys = append(keys, string(k))
						}
					}
				}
			}
			if len(keys) > 1 && len(kwargs) == 0 {
				seen := map[string]bool{}
				uniq := keys[:0:0]
				for _, k := range keys {
					if !seen[k] {
						seen[k] = true
						uniq = append(uniq, k)
					}
				}
				in.order.set(d, uniq)
			}
			return d, nil
		}),
		"__keys__": method("__keys__", func(_, o py.Object) (py.Object, error) {
			if d, ok := o.(py.StringDict); ok {
				return keyObjects(dictKeys(d, in.order, false)), nil
			}
			return callMethod(o, "keys")
		}),
		"__values__": method("__values__", func(_, o py.Object) (py.Object, error) {
			if d, ok := o.(py.StringDict); ok {
				keys := dictKeys(d, in.order, false)
				out := make([]py.Object, len(keys))
				for i, k := range keys {
					out[i] = d[k]
				}
				return py.NewListFromItems(out), nil
			}
			return callMethod(o, "values")
		}),
		"__items__": method("__items__", func(_, o py.Object) (py.Object, error) {
			if d, ok := o.(py.StringDict); ok {
				keys := dictKeys(d, in.order, false)
				out := make([]py.Object, len(keys))
				for i, k := range keys {
					out[i] = py.Tuple{decodeKey(k), d[k]}
				}
				return py.NewListFromItems(out), nil
			}
			return callMethod(o, "items")
		}),
		"__cmp__": method("__cmp__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			op, a, b := string(args[0].(py.String)), args[1], args[2]
			var lt bool
			var err error
			switch op {
			case "<", ">=":
				lt, err = lessThan(a, b)
			default:
				lt, err = lessThan(b, a)
			}
			if err != nil {
				return nil, err
			}
			if op == ">=" || op == "<=" {
				lt = !lt
			}
			return py.NewBool(lt), nil
		}),
		// property(fget): read-only properties (gpython has the type but
		// no builtin; there is no .setter).
		"property": method("property", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("property", args, kwargs, 0, "fget", "fset", "fdel", "doc")
			if err != nil {
				return nil, err
			}
			p := &py.Property{}
			if a[0] != nil && a[0] != py.None {
				fget := a[0]
				p.Fget = func(self py.Object) (py.Object, error) { return py.Call(fget, py.Tuple{self}, nil) }
			}
			if a[1] != nil && a[1] != py.None {
				fset := a[1]
				p.Fset = func(self, v py.Object) error { _, err := py.Call(fset, py.Tuple{self, v}, nil); return err }
			}
			return p, nil
		}),
		"__update__": method("__update__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) == 0 {
				return nil, py.ExceptionNewf(py.TypeError, "update() needs an object")
			}
			d, ok := args[0].(py.StringDict)
			if !ok {
				return callMethodArgs(args[0], "update", args[1:], kwargs)
			}
			if len(args) > 2 {
				return nil, py.ExceptionNewf(py.TypeError, "update expected at most 1 argument, got %d", len(args)-1)
			}
			if len(args) == 2 {
				var keys []string
				switch src := args[1].(type) {
				case py.StringDict:
					keys = dictKeys(src, in.order, false)
				case *py.List, py.Tuple:
					items, _ := seqItems(src)
					for _, it := range items {
						if kv, ok := seqItems(it); ok && len(kv) == 2 {
							if k, ok := kv[0].(py.String); ok {
								keys = append(keys, string(k))
							}
						}
					}
				}
				for _, k := range keys {
					if _, present := d[k]; !present {
						in.order.add(d, k)
						d[k] = py.None // placeholder, set below
					}
				}
				if err := dictUpdate(d, args[1]); err != nil {
					return nil, err
				}
			}
			for _, k := range sortedKeys(kwargs) {
				if _, present := d[k]; !present {
					in.order.add(d, k)
				}
				d[k] = kwargs[k]
			}
			return py.None, nil
		}),
		"__setdefault__": method("__setdefault__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) == 0 {
				return nil, py.ExceptionNewf(py.TypeError, "setdefault() needs an object")
			}
			if d, ok := args[0].(py.StringDict); ok && len(args) >= 2 && len(kwargs) == 0 {
				if k, ok := args[1].(py.String); ok {
					if v, present := d[string(k)]; present {
						return v, nil
					}
					var v py.Object = py.None
					if len(args) > 2 {
						v = args[2]
					}
					in.order.add(d, string(k))
					d[string(k)] = v
					return v, nil
				}
			}
			return callMethodArgs(args[0], "setdefault", args[1:], kwargs)
		}),
		"__dict_pairs__": method("__dict_pairs__", func(_, o py.Object) (py.Object, error) {
			l, ok := o.(*py.List)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "__dict_pairs__ needs a list")
			}
			d := py.NewStringDictSized(len(l.Items))
			keys := make([]string, 0, len(l.Items))
			for _, it := range l.Items {
				kv := it.(py.Tuple)
				k, dup, err := findKey(d, kv[0])
				if err != nil {
					return nil, err
				}
				if !dup {
					keys = append(keys, k)
				}
				d[k] = kv[1]
			}
			if len(keys) > 1 && len(keys) == len(d) {
				in.order.set(d, keys)
			}
			return d, nil
		}),
		"enumerate": method("enumerate", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("enumerate", args, kwargs, 1, "iterable", "start")
			if err != nil {
				return nil, err
			}
			if a[1] == nil {
				return py.EnumerateType.M__call__(py.Tuple{a[0]}, nil)
			}
			return py.EnumerateType.M__call__(py.Tuple{a[0], boolAsInt(a[1])}, nil)
		}),
		"__str_new__": method("__str_new__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) == 1 && len(kwargs) == 0 {
				s, err := strOrdered(args[0], in.order)
				return py.String(s), err
			}
			return py.StringType.M__call__(args, kwargs)
		}),
		"__fmt__": method("__fmt__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			s, err := formatOrdered(string(args[0].(py.String)), args[1:], nil, in.order)
			if err != nil {
				return nil, err
			}
			return py.String(s), nil
		}),
		"__merge__": method("__merge__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			d := py.NewStringDict()
			var keys []string
			for _, a := range args {
				if m, ok := a.(py.StringDict); ok {
					for _, k := range dictKeys(m, in.order, false) {
						if _, dup := d[k]; !dup {
							keys = append(keys, k)
						}
						d[k] = m[k]
					}
					continue
				}
				if err := dictUpdate(d, a); err != nil {
					return nil, err
				}
			}
			if len(keys) == len(d) && len(keys) > 1 {
				in.order.set(d, keys)
			}
			return d, nil
		}),
		"__dict__": method("__dict__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			d := py.NewStringDictSized(len(args) / 2)
			keys := make([]string, 0, len(args)/2)
			for i := 0; i+1 < len(args); i += 2 {
				k, dup, err := findKey(d, args[i])
				if err != nil {
					return nil, err
				}
				if !dup {
					keys = append(keys, k)
				}
				d[k] = args[i+1]
			}
			if len(keys) == len(d) {
				in.order.set(d, keys)
			}
			return d, nil
		}),
		"__setitem__": method("__setitem__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if d, ok := args[0].(py.StringDict); ok {
				if k, ok := args[1].(py.String); ok {
					if _, present := d[string(k)]; !present {
						in.order.add(d, string(k))
					}
					d[string(k)] = args[2]
					return py.None, nil
				}
				return py.None, dictSet(d, args[1], args[2], in.order)
			}
			return py.SetItem(args[0], args[1], args[2])
		}),
		"__getix__": method("__getix__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			return getItem(args[0], args[1])
		}),
		"__delix__": method("__delix__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			switch d := args[0].(type) {
			case py.StringDict:
				k, ok, err := findKey(d, args[1])
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, errKey(args[1])
				}
				delete(d, k)
				return py.None, nil
			}
			return py.DelItem(args[0], args[1])
		}),
		"__in__": method("__in__", func(_ py.Object, args py.Tuple) (py.Object, error) {
			ok, err := contains(args[0], args[1])
			return py.NewBool(ok), err
		}),
		"round":  method("round", builtinRound),
		"sorted": method("sorted", builtinSorted),
		"min": method("min", func(_ py.Object, args py.Tuple, kw py.StringDict) (py.Object, error) {
			return minMax("min", args, kw, false)
		}),
		"max": method("max", func(_ py.Object, args py.Tuple, kw py.StringDict) (py.Object, error) {
			return minMax("max", args, kw, true)
		}),
		"sum":      method("sum", builtinSum),
		"reversed": method("reversed", builtinReversed),
		"hash":     method("hash", builtinHash),
		"id": method("id", func(_, o py.Object) (py.Object, error) {
			v := reflect.ValueOf(o)
			if v.Kind() == reflect.Pointer || v.Kind() == reflect.Map {
				return py.Int(v.Pointer()), nil
			}
			return builtinHash(nil, o)
		}),
		"callable": method("callable", func(_, o py.Object) (py.Object, error) {
			_, ok := o.(py.I__call__)
			return py.NewBool(ok), nil
		}),
		"repr": method("repr", func(_, o py.Object) (py.Object, error) {
			s, err := reprOrdered(o, in.order)
			return py.String(s), err
		}),
		"ascii": method("ascii", func(_, o py.Object) (py.Object, error) {
			s, err := reprOf(o)
			if err != nil {
				return nil, err
			}
			return py.String(asciiOnly(s)), nil
		}),
		"format": method("format", func(_ py.Object, args py.Tuple) (py.Object, error) {
			a, err := bindArgs("format", args, nil, 1, "value", "format_spec")
			if err != nil {
				return nil, err
			}
			spec := ""
			if a[1] != nil {
				if spec, err = strArg("format", a[1]); err != nil {
					return nil, err
				}
			}
			s, err := formatValue(a[0], spec)
			return py.String(s), err
		}),
		"isinstance": method("isinstance", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "isinstance expected 2 arguments, got %d", len(args))
			}
			ok, err := isInstance(args[0], args[1])
			if err != nil {
				return origIsinstance.Call(self, args)
			}
			return py.NewBool(ok), nil
		}),
		"abs": method("abs", func(_, o py.Object) (py.Object, error) { return py.Abs(boolAsInt(o)) }),
		"divmod": method("divmod", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "divmod expected 2 arguments, got %d", len(args))
			}
			q, err := py.FloorDiv(boolAsInt(args[0]), boolAsInt(args[1]))
			if err != nil {
				return nil, err
			}
			r, err := py.Mod(boolAsInt(args[0]), boolAsInt(args[1]))
			if err != nil {
				return nil, err
			}
			return py.Tuple{q, r}, nil
		}),
	}
	for name, f := range arithHelpers {
		m[name] = method(name, func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "%s expected 2 arguments, got %d", name, len(args))
			}
			return f(args[0], args[1])
		})
	}
	for name, f := range unaryHelpers {
		m[name] = method(name, func(_, o py.Object) (py.Object, error) { return f(o) })
	}
	pow := findMethod(b, "pow")
	m["pow"] = method("pow", func(self py.Object, args py.Tuple) (py.Object, error) {
		if len(args) == 2 {
			return power(args[0], args[1])
		}
		return pow.Call(self, args)
	})
	in.walkingBuiltins(m)
	return m
}

// buildExceptionClass is __build_class__ for a class deriving from an
// exception: run the body, then type(name, bases, namespace).
func buildExceptionClass(args py.Tuple) (py.Object, error) {
	fn, ok := args[0].(*py.Function)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "__build_class__: func must be a function")
	}
	ns := py.NewStringDict()
	if _, err := fn.Context.RunCode(fn.Code, fn.Globals, ns, fn.Closure); err != nil {
		return nil, err
	}
	name, ok := args[1].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "__build_class__: name is not a string")
	}
	base, ok := args[2].(*py.Type)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "exception classes take one exception base")
	}
	// Made the way gpython makes its own exceptions, so that instances
	// are real exceptions. Only the first base counts, and methods of the
	// class body are kept but __init__ is not called (gpython limits).
	t := ready(base.NewType(string(name), "", nil, nil))
	for k, v := range ns {
		t.Dict[k] = v
	}
	t.Dict["__name__"] = name
	t.Flags |= py.TPFLAGS_BASE_EXC_SUBCLASS
	return t, nil
}

// isInstance follows the MRO, which gpython's isinstance does not for
// classes defined in Python, and counts bools as ints.
func isInstance(obj, cls py.Object) (bool, error) {
	if tup, ok := cls.(py.Tuple); ok {
		for _, c := range tup {
			ok, err := isInstance(obj, c)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	t, ok := cls.(*py.Type)
	if !ok {
		return false, py.ExceptionNewf(py.TypeError, "isinstance() arg 2 must be a type or tuple of types")
	}
	switch obj.(type) {
	case py.Bool, *py.BigInt:
		if t == py.IntType {
			return true, nil
		}
	}
	ot := obj.Type()
	return ot == t || ot.IsSubtype(t), nil
}

func callMethodArgs(o py.Object, name string, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	m, err := py.GetAttrString(o, name)
	if err != nil {
		return nil, err
	}
	return py.Call(m, args, kwargs)
}

func callMethod(o py.Object, name string) (py.Object, error) {
	m, err := py.GetAttrString(o, name)
	if err != nil {
		return nil, err
	}
	return py.Call(m, nil, nil)
}

func asciiOnly(s string) string {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case r < 0x100:
			out = append(out, `\x`+hex2(int(r))...)
		case r < 0x10000:
			out = append(out, `\u`+strconv.FormatInt(int64(r)|0x10000, 16)[1:]...)
		default:
			out = append(out, `\U`+strconv.FormatInt(int64(r)|0x100000000, 16)[1:]...)
		}
	}
	return string(out)
}

func findMethod(impl *py.ModuleImpl, name string) *py.Method {
	for _, m := range impl.Methods {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func typeListHas(o py.Object, t *py.Type) bool {
	if o == t {
		return true
	}
	if tup, ok := o.(py.Tuple); ok {
		for _, x := range tup {
			if typeListHas(x, t) {
				return true
			}
		}
	}
	return false
}

// builtinRound is CPython's round: half to even, exact decimal rounding
// for ndigits (round(2.675, 2) is 2.67, as 2.675 is 2.67499... in binary).
func builtinRound(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := bindArgs("round", args, kwargs, 1, "number", "ndigits")
	if err != nil {
		return nil, err
	}
	x := boolAsInt(a[0])
	nd := a[1]
	if nd == py.None {
		nd = nil
	}
	switch v := x.(type) {
	case py.Int, *py.BigInt:
		if nd == nil {
			return v, nil
		}
		n, err := intArg("round", nd)
		if err != nil {
			return nil, err
		}
		if n >= 0 {
			return v, nil
		}
		var bi *big.Int
		if i, ok := v.(py.Int); ok {
			bi = big.NewInt(int64(i))
		} else {
			bi = (*big.Int)(v.(*py.BigInt))
		}
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n)), nil)
		q, r := new(big.Int).QuoRem(bi, p, new(big.Int))
		// Half to even on the remainder.
		twice := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
		c := twice.Cmp(p)
		if c > 0 || (c == 0 && q.Bit(0) == 1) {
			if bi.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		res := q.Mul(q, p)
		if res.IsInt64() {
			return py.Int(res.Int64()), nil
		}
		return (*py.BigInt)(res), nil
	case py.Float:
		f := float64(v)
		if nd == nil {
			if math.IsNaN(f) {
				return nil, py.ExceptionNewf(py.ValueError, "cannot convert float NaN to integer")
			}
			if math.IsInf(f, 0) {
				return nil, py.ExceptionNewf(py.OverflowError, "cannot convert float infinity to integer")
			}
			r := math.RoundToEven(f)
			if math.Abs(r) < 1<<62 {
				return py.Int(int64(r)), nil
			}
			bi, _ := big.NewFloat(r).Int(nil)
			return (*py.BigInt)(bi), nil
		}
		n, err := intArg("round", nd)
		if err != nil {
			return nil, err
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return v, nil
		}
		if n >= 0 {
			if n > 300 {
				return v, nil
			}
			r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', n, 64), 64)
			return py.Float(r), nil
		}
		p := math.Pow(10, float64(-n))
		return py.Float(math.RoundToEven(f/p) * p), nil
	}
	if res, ok, err := py.TypeCall0(x, "__round__"); ok {
		return res, err
	}
	return nil, py.ExceptionNewf(py.TypeError, "type %s doesn't define __round__ method", x.Type().Name)
}

func builtinSorted(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := bindArgs("sorted", args, kwargs, 1, "iterable", "key", "reverse")
	if err != nil {
		return nil, err
	}
	items, err := iterate(a[0])
	if err != nil {
		return nil, err
	}
	rev := false
	if a[2] != nil {
		if rev, err = truthy(a[2]); err != nil {
			return nil, err
		}
	}
	if err := sortObjects(items, a[1], rev); err != nil {
		return nil, err
	}
	return py.NewListFromItems(items), nil
}

func minMax(name string, args py.Tuple, kwargs py.StringDict, isMax bool) (py.Object, error) {
	var key, def py.Object
	for k, v := range kwargs {
		switch k {
		case "key":
			key = v
		case "default":
			def = v
		default:
			return nil, py.ExceptionNewf(py.TypeError, "%s() got an unexpected keyword argument '%s'", name, k)
		}
	}
	var items []py.Object
	var err error
	switch len(args) {
	case 0:
		return nil, py.ExceptionNewf(py.TypeError, "%s expected at least 1 argument, got 0", name)
	case 1:
		if items, err = iterate(args[0]); err != nil {
			return nil, err
		}
	default:
		items = args
	}
	if len(items) == 0 {
		if def != nil {
			return def, nil
		}
		return nil, py.ExceptionNewf(py.ValueError, "%s() arg is an empty sequence", name)
	}
	if key == py.None {
		key = nil
	}
	best := items[0]
	bestKey := best
	if key != nil {
		if bestKey, err = py.Call(key, py.Tuple{best}, nil); err != nil {
			return nil, err
		}
	}
	for _, it := range items[1:] {
		k := it
		if key != nil {
			if k, err = py.Call(key, py.Tuple{it}, nil); err != nil {
				return nil, err
			}
		}
		var better bool
		if isMax {
			better, err = lessThan(bestKey, k)
		} else {
			better, err = lessThan(k, bestKey)
		}
		if err != nil {
			return nil, err
		}
		if better {
			best, bestKey = it, k
		}
	}
	return best, nil
}

func builtinSum(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := bindArgs("sum", args, kwargs, 1, "iterable", "start")
	if err != nil {
		return nil, err
	}
	var acc py.Object = py.Int(0)
	if a[1] != nil {
		if _, ok := a[1].(py.String); ok {
			return nil, py.ExceptionNewf(py.TypeError, "sum() can't sum strings [use ''.join(seq) instead]")
		}
		acc = boolAsInt(a[1])
	}
	var aerr error
	err = py.Iterate(a[0], func(o py.Object) bool {
		acc, aerr = py.Add(acc, boolAsInt(o))
		return aerr != nil
	})
	if err != nil {
		return nil, err
	}
	return acc, aerr
}

func builtinReversed(_, o py.Object) (py.Object, error) {
	items, err := iterate(o)
	if err != nil {
		return nil, err
	}
	out := make([]py.Object, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return py.NewIterator(py.Tuple(out)), nil
}

// builtinHash is stable within a run (CPython salts str hashes per
// process, so no program can rely on the values).
func builtinHash(_, o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case py.Int:
		return x, nil
	case py.Bool:
		return boolAsInt(x), nil
	case *py.List, py.StringDict, *py.Set:
		return nil, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", o.Type().Name)
	}
	s, err := reprOf(o)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(o.Type().Name + ":" + s))
	return py.Int(int64(h.Sum64() >> 1)), nil
}
