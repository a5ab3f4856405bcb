package pyrt

import (
	"strings"

	"github.com/go-python/gpython/py"
)

// JSONDecodeError is json's error for bad input, a ValueError as in CPython.
var JSONDecodeError = ready(py.ValueError.NewType("JSONDecodeError", "Subclass of ValueError for JSON decoding errors.", nil, nil))

func orderOf(self py.Object) keyOrder {
	if sb := sandboxOf(self); sb != nil && sb.in != nil {
		return sb.in.order
	}
	return nil
}

func init() {
	registerModule("json", "JSON encoding and decoding, backed by Go. Dicts decoded from the event keep their key order.", []*py.Method{
		method("dumps", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("dumps", args, kwargs, 1, "obj", "skipkeys", "ensure_ascii", "check_circular", "allow_nan", "cls",
				"indent", "separators", "default", "sort_keys")
			if err != nil {
				return nil, err
			}
			e := newEncoder(orderOf(self))
			e.ascii, e.allowNaN = true, true
			e.itemSep, e.keySep = ", ", ": "
			if a[2] != nil {
				if e.ascii, err = truthy(a[2]); err != nil {
					return nil, err
				}
			}
			if a[4] != nil {
				if e.allowNaN, err = truthy(a[4]); err != nil {
					return nil, err
				}
			}
			if a[9] != nil {
				if e.sortKeys, err = truthy(a[9]); err != nil {
					return nil, err
				}
			}
			if a[6] != nil && a[6] != py.None {
				switch x := a[6].(type) {
				case py.Int:
					e.indent = strings.Repeat(" ", int(x))
				case py.String:
					e.indent = string(x)
				default:
					return nil, py.ExceptionNewf(py.TypeError, "indent must be an int or a str")
				}
				e.itemSep = ","
			}
			if a[7] != nil && a[7] != py.None {
				seps, err := iterate(a[7])
				if err != nil || len(seps) != 2 {
					return nil, py.ExceptionNewf(py.ValueError, "separators must be a (item_separator, key_separator) pair")
				}
				is, ok1 := seps[0].(py.String)
				ks, ok2 := seps[1].(py.String)
				if !ok1 || !ok2 {
					return nil, py.ExceptionNewf(py.TypeError, "separators must be strings")
				}
				e.itemSep, e.keySep = string(is), string(ks)
			}
			var def py.Object
			if a[8] != nil && a[8] != py.None {
				def = a[8]
			}
			obj := a[0]
			if def != nil {
				if obj, err = applyDefault(obj, def, 0); err != nil {
					return nil, err
				}
			}
			if err := e.encode(obj); err != nil {
				return nil, err
			}
			return py.String(e.buf), nil
		}),
		method("loads", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) != 1 {
				return nil, py.ExceptionNewf(py.TypeError, "loads() takes 1 positional argument")
			}
			b, err := bytesArg("loads", args[0])
			if err != nil {
				return nil, py.ExceptionNewf(py.TypeError, "the JSON object must be str or bytes, not %s", args[0].Type().Name)
			}
			v, err := decodeJSON(b, orderOf(self))
			if err != nil {
				return nil, py.ExceptionNewf(JSONDecodeError, "%s", strings.TrimPrefix(err.Error(), "invalid JSON "))
			}
			return v, nil
		}),
	}, py.StringDict{"JSONDecodeError": JSONDecodeError}, "")
}

// applyDefault replaces what JSON cannot hold by default(obj), as
// json.dumps(default=...) does.
func applyDefault(o, def py.Object, depth int) (py.Object, error) {
	if depth > 100 {
		return nil, py.ExceptionNewf(py.ValueError, "Circular reference detected")
	}
	switch x := o.(type) {
	case py.NoneType, py.Bool, py.Int, *py.BigInt, py.Float, py.String:
		return o, nil
	case py.StringDict:
		out := py.NewStringDictSized(len(x))
		for k, v := range x {
			nv, err := applyDefault(v, def, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = nv
		}
		return out, nil
	case *py.List, py.Tuple:
		items, _ := seqItems(x)
		out := make([]py.Object, len(items))
		for i, v := range items {
			nv, err := applyDefault(v, def, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return py.NewListFromItems(out), nil
	}
	v, err := py.Call(def, py.Tuple{o}, nil)
	if err != nil {
		return nil, err
	}
	return applyDefault(v, def, depth+1)
}
