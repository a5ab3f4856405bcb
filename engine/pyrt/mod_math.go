package pyrt

import (
	"math"
	"math/big"

	"github.com/go-python/gpython/py"
)

// Additions to gpython's math module (its ModuleImpl is extended in
// gpython's registry): isclose, gcd, lcm, prod, isqrt, comb, inf, nan, tau.
func init() {
	impl := py.GetModuleImpl("math")
	if impl == nil {
		return
	}
	add := func(m *py.Method) { impl.Methods = append(impl.Methods, m) }
	for name, v := range map[string]py.Object{"inf": py.Float(math.Inf(1)), "nan": py.Float(math.NaN()), "tau": py.Float(2 * math.Pi)} {
		if _, ok := impl.Globals[name]; !ok {
			impl.Globals[name] = v
		}
	}
	add(method("isclose", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("isclose", args, kwargs, 2, "a", "b", "rel_tol", "abs_tol")
		if err != nil {
			return nil, err
		}
		x, err := toFloat(a[0])
		if err != nil {
			return nil, err
		}
		y, err := toFloat(a[1])
		if err != nil {
			return nil, err
		}
		rel, abs := 1e-9, 0.0
		if a[2] != nil {
			if rel, err = toFloat(a[2]); err != nil {
				return nil, err
			}
		}
		if a[3] != nil {
			if abs, err = toFloat(a[3]); err != nil {
				return nil, err
			}
		}
		if x == y {
			return py.True, nil
		}
		if math.IsInf(x, 0) || math.IsInf(y, 0) {
			return py.False, nil
		}
		d := math.Abs(x - y)
		return py.NewBool(d <= math.Max(rel*math.Max(math.Abs(x), math.Abs(y)), abs)), nil
	}))
	bigOf := func(o py.Object) (*big.Int, error) { return toBigInt(boolAsInt(o), 'd') }
	fromBig := func(b *big.Int) py.Object {
		if b.IsInt64() {
			return py.Int(b.Int64())
		}
		return (*py.BigInt)(b)
	}
	add(method("gcd", func(_ py.Object, args py.Tuple) (py.Object, error) {
		acc := new(big.Int)
		for _, a := range args {
			n, err := bigOf(a)
			if err != nil {
				return nil, err
			}
			acc.GCD(nil, nil, acc.Abs(acc), new(big.Int).Abs(n))
		}
		return fromBig(acc), nil
	}))
	add(method("lcm", func(_ py.Object, args py.Tuple) (py.Object, error) {
		acc := big.NewInt(1)
		for _, a := range args {
			n, err := bigOf(a)
			if err != nil {
				return nil, err
			}
			if n.Sign() == 0 {
				return py.Int(0), nil
			}
			g := new(big.Int).GCD(nil, nil, acc, new(big.Int).Abs(n))
			acc.Mul(acc, new(big.Int).Abs(n)).Quo(acc, g)
		}
		return fromBig(acc), nil
	}))
	add(method("prod", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("prod", args, kwargs, 1, "iterable", "start")
		if err != nil {
			return nil, err
		}
		var acc py.Object = py.Int(1)
		if a[1] != nil {
			acc = a[1]
		}
		items, err := iterate(a[0])
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if acc, err = py.Mul(acc, boolAsInt(it)); err != nil {
				return nil, err
			}
		}
		return acc, nil
	}))
	add(method("isqrt", func(_, o py.Object) (py.Object, error) {
		n, err := bigOf(o)
		if err != nil {
			return nil, err
		}
		if n.Sign() < 0 {
			return nil, valueError("isqrt() argument must be nonnegative")
		}
		return fromBig(new(big.Int).Sqrt(n)), nil
	}))
	add(method("comb", func(_ py.Object, args py.Tuple) (py.Object, error) {
		if len(args) != 2 {
			return nil, py.ExceptionNewf(py.TypeError, "comb expected 2 arguments")
		}
		n, err := intArg("comb", args[0])
		if err != nil {
			return nil, err
		}
		k, err := intArg("comb", args[1])
		if err != nil {
			return nil, err
		}
		if n < 0 || k < 0 {
			return nil, valueError("n and k must be non-negative integers")
		}
		if k > n {
			return py.Int(0), nil
		}
		return fromBig(new(big.Int).Binomial(int64(n), int64(k))), nil
	}))
}
