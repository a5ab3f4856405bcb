package pyrt

import "github.com/go-python/gpython/py"

// plus is a + b as CPython computes it, for the rewrite of binary +
// (see Rewrite): gpython fails on bool + bool and loses items when it
// concatenates tuples of different lengths. The common cases come first
// and the rest falls through to gpython's own py.Add.
func plus(a, b py.Object) (py.Object, error) {
	switch x := a.(type) {
	case py.String:
		if y, ok := b.(py.String); ok {
			return x + y, nil
		}
	case py.Int:
		switch b.(type) {
		case py.Int, py.Float:
			return py.Add(x, b)
		}
	case py.Float:
		if y, ok := b.(py.Float); ok {
			return x + y, nil
		}
	case py.Tuple:
		if y, ok := b.(py.Tuple); ok {
			out := make(py.Tuple, 0, len(x)+len(y))
			return append(append(out, x...), y...), nil
		}
	}
	return plusSlow(a, b)
}

func plusSlow(a, b py.Object) (py.Object, error) {
	if isNumber(a) && isNumber(b) {
		return py.Add(boolAsInt(a), boolAsInt(b))
	}
	// Instances of classes written in Python: their __add__ / __radd__.
	if isUserInstance(a) {
		if res, ok, err := py.TypeCall1(a, "__add__", b); ok && (err != nil || res != py.NotImplemented) {
			return res, err
		}
	}
	if isUserInstance(b) {
		if res, ok, err := py.TypeCall1(b, "__radd__", a); ok && (err != nil || res != py.NotImplemented) {
			return res, err
		}
	}
	res, err := py.Add(a, b)
	if err != nil {
		// CPython's words for str, list and tuple.
		switch a.(type) {
		case py.String, *py.List, py.Tuple:
			if b.Type() != a.Type() {
				return nil, py.ExceptionNewf(py.TypeError, "can only concatenate %s (not \"%s\") to %s", a.Type().Name, b.Type().Name, a.Type().Name)
			}
		}
	}
	return res, err
}

// iplus is a += b: a list grows in place with any iterable, as in
// CPython (gpython's list += takes only lists); the rest is plus.
func iplus(a, b py.Object) (py.Object, error) {
	if l, ok := a.(*py.List); ok {
		switch y := b.(type) {
		case *py.List:
			l.Items = append(l.Items, y.Items...)
			return l, nil
		case py.Tuple:
			l.Items = append(l.Items, y...)
			return l, nil
		}
		items, err := iterate(b)
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, items...)
		return l, nil
	}
	switch a.(type) {
	case py.String, py.Int, py.Float, py.Tuple, py.Bool:
		return plus(a, b)
	}
	if isUserInstance(a) {
		if res, ok, err := py.TypeCall1(a, "__iadd__", b); ok && (err != nil || res != py.NotImplemented) {
			return res, err
		}
		return plus(a, b)
	}
	return py.IAdd(a, b)
}

func isNumber(o py.Object) bool {
	switch o.(type) {
	case py.Int, py.Float, py.Bool, *py.BigInt:
		return true
	}
	return false
}

// Bools are ints in CPython, but gpython's bool has no arithmetic of its
// own: -True, ~True, True - False, True * True, True // True and
// True ** True raise TypeError, and so does an int divided by a bool
// (1 / True) or a bool by an int (True / 2). The rewrite (see
// arithOps) sends the unary and binary operators whose operands could
// both be bools (for /: either) through these helpers, which read a
// bool as an int and leave the rest to gpython's operator.

func minus(a, b py.Object) (py.Object, error) { return py.Sub(boolAsInt(a), boolAsInt(b)) }

func times(a, b py.Object) (py.Object, error) { return py.Mul(boolAsInt(a), boolAsInt(b)) }

func divide(a, b py.Object) (py.Object, error) { return py.TrueDiv(boolAsInt(a), boolAsInt(b)) }

func floorDivide(a, b py.Object) (py.Object, error) {
	return py.FloorDiv(boolAsInt(a), boolAsInt(b))
}

func power(a, b py.Object) (py.Object, error) { return py.Pow(boolAsInt(a), boolAsInt(b), py.None) }

// arithHelpers are the helpers of the rewrite for arithmetic, by name.
var arithHelpers = map[string]func(a, b py.Object) (py.Object, error){
	"__minus__": minus, "__times__": times, "__divide__": divide, "__floordiv2__": floorDivide, "__power__": power,
}

// unaryHelpers are -x, +x and ~x for the rewrite.
var unaryHelpers = map[string]func(a py.Object) (py.Object, error){
	"__negate__": func(a py.Object) (py.Object, error) { return py.Neg(boolAsInt(a)) },
	"__posit__":  func(a py.Object) (py.Object, error) { return py.Pos(boolAsInt(a)) },
	"__flip__":   func(a py.Object) (py.Object, error) { return py.Invert(boolAsInt(a)) },
}
