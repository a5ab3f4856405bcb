package pyrt

import (
	"github.com/go-python/gpython/py"
)

// copy, functools and itertools: the parts transforms use.

// deepCopy copies containers recursively; the copy of a dict keeps its
// recorded key order.
func deepCopy(o py.Object, order keyOrder, depth int) (py.Object, error) {
	if depth > 500 {
		return nil, py.ExceptionNewf(py.RuntimeError, "maximum recursion depth exceeded in deepcopy")
	}
	switch x := o.(type) {
	case py.StringDict:
		out := py.NewStringDictSized(len(x))
		for k, v := range x {
			c, err := deepCopy(v, order, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		if keys, ok := order.get(x); ok {
			order.set(out, append([]string(nil), keys...))
		}
		return out, nil
	case *py.List:
		out := make([]py.Object, len(x.Items))
		for i, v := range x.Items {
			c, err := deepCopy(v, order, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return py.NewListFromItems(out), nil
	case py.Tuple:
		out := make(py.Tuple, len(x))
		for i, v := range x {
			c, err := deepCopy(v, order, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case *py.Set:
		return copySet(setItems(x)), nil
	case *defaultDict:
		d, err := deepCopy(x.d, order, depth+1)
		if err != nil {
			return nil, err
		}
		return &defaultDict{d: d.(py.StringDict), factory: x.factory, keys: append([]string(nil), x.keys...)}, nil
	}
	return o, nil // immutable, or an object copied by reference
}

func shallowCopy(o py.Object, order keyOrder) (py.Object, error) {
	switch x := o.(type) {
	case py.StringDict:
		out := x.Copy()
		if keys, ok := order.get(x); ok {
			order.set(out, append([]string(nil), keys...))
		}
		return out, nil
	case *py.List:
		return x.Copy(), nil
	case *py.Set:
		return copySet(setItems(x)), nil
	}
	return o, nil
}

func init() {
	registerModule("copy", "Shallow and deep copies.", []*py.Method{
		method("copy", func(self, o py.Object) (py.Object, error) { return shallowCopy(o, orderOf(self)) }),
		method("deepcopy", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 {
				return nil, py.ExceptionNewf(py.TypeError, "deepcopy() missing required argument 'x'")
			}
			return deepCopy(args[0], orderOf(self), 0)
		}),
	}, nil, "")

	registerModule("typing", "Type hints: the names exist and can be subscripted; nothing is checked.", nil, nil, `
class _Hint:
    def __init__(self, name):
        self._name = name
    def __getitem__(self, params):
        return self
    def __call__(self, *args, **kwargs):
        raise TypeError("Type %s cannot be instantiated" % self._name)
    def __repr__(self):
        return "typing." + self._name

Any = _Hint("Any")
Dict = _Hint("Dict")
List = _Hint("List")
Set = _Hint("Set")
FrozenSet = _Hint("FrozenSet")
Tuple = _Hint("Tuple")
Optional = _Hint("Optional")
Union = _Hint("Union")
Callable = _Hint("Callable")
Iterable = _Hint("Iterable")
Iterator = _Hint("Iterator")
Generator = _Hint("Generator")
Mapping = _Hint("Mapping")
MutableMapping = _Hint("MutableMapping")
Sequence = _Hint("Sequence")
Type = _Hint("Type")
Literal = _Hint("Literal")
Final = _Hint("Final")
ClassVar = _Hint("ClassVar")
TYPE_CHECKING = False

def cast(typ, value):
    return value

def TypeVar(name, *constraints, **kwargs):
    return _Hint(name)
`)

	registerModule("logging", "logging's calls, written to the event's log (print).", nil, nil, `
DEBUG = 10
INFO = 20
WARNING = 30
ERROR = 40
CRITICAL = 50

class Logger:
    def __init__(self, name):
        self.name = name
    def _log(self, level, msg, args):
        if args:
            msg = msg % args
        print("%s: %s" % (level, msg))
    def debug(self, msg, *args, **kwargs):
        self._log("DEBUG", msg, args)
    def info(self, msg, *args, **kwargs):
        self._log("INFO", msg, args)
    def warning(self, msg, *args, **kwargs):
        self._log("WARNING", msg, args)
    def error(self, msg, *args, **kwargs):
        self._log("ERROR", msg, args)
    def exception(self, msg, *args, **kwargs):
        self._log("ERROR", msg, args)
    def critical(self, msg, *args, **kwargs):
        self._log("CRITICAL", msg, args)
    def setLevel(self, level):
        pass
    warn = warning

_root = Logger("root")

def getLogger(name=None):
    return _root if name is None else Logger(name)

def basicConfig(**kwargs):
    pass

def debug(msg, *args, **kwargs):
    _root._log("DEBUG", msg, args)
def info(msg, *args, **kwargs):
    _root._log("INFO", msg, args)
def warning(msg, *args, **kwargs):
    _root._log("WARNING", msg, args)
def error(msg, *args, **kwargs):
    _root._log("ERROR", msg, args)
def exception(msg, *args, **kwargs):
    _root._log("ERROR", msg, args)
def critical(msg, *args, **kwargs):
    _root._log("CRITICAL", msg, args)
`)

	registerModule("operator", "itemgetter, attrgetter, methodcaller and the operators as functions.", nil, nil, `
def itemgetter(*items):
    if len(items) == 1:
        item = items[0]
        def getter(obj):
            return obj[item]
    else:
        def getter(obj):
            return tuple([obj[i] for i in items])
    return getter

def _resolve(obj, attr):
    for name in attr.split("."):
        obj = getattr(obj, name)
    return obj

def attrgetter(*attrs):
    if len(attrs) == 1:
        attr = attrs[0]
        def getter(obj):
            return _resolve(obj, attr)
    else:
        def getter(obj):
            return tuple([_resolve(obj, a) for a in attrs])
    return getter

def methodcaller(name, *args, **kwargs):
    def caller(obj):
        return getattr(obj, name)(*args, **kwargs)
    return caller

def add(a, b): return a + b
def sub(a, b): return a - b
def mul(a, b): return a * b
def truediv(a, b): return a / b
def floordiv(a, b): return a // b
def mod(a, b): return a % b
def pow(a, b): return a ** b
def neg(a): return -a
def pos(a): return +a
def abs(a): return a if a >= 0 else -a
def not_(a): return not a
def truth(a): return bool(a)
def eq(a, b): return a == b
def ne(a, b): return a != b
def lt(a, b): return a < b
def le(a, b): return a <= b
def gt(a, b): return a > b
def ge(a, b): return a >= b
def is_(a, b): return a is b
def is_not(a, b): return a is not b
def contains(a, b): return b in a
def getitem(a, b): return a[b]
def concat(a, b): return a + b
def and_(a, b): return a & b
def or_(a, b): return a | b
def xor(a, b): return a ^ b
`)

	registerModule("functools", "reduce and partial.", nil, nil, `
_missing = object()

def reduce(function, iterable, initial=_missing):
    it = iter(iterable)
    if initial is _missing:
        try:
            value = next(it)
        except StopIteration:
            raise TypeError("reduce() of empty iterable with no initial value")
    else:
        value = initial
    for element in it:
        value = function(value, element)
    return value

def partial(func, *args, **keywords):
    def newfunc(*fargs, **fkeywords):
        kw = dict(keywords)
        kw.update(fkeywords)
        # list, not tuple, concatenation: gpython's tuple + tuple is wrong
        # when the lengths differ.
        return func(*(list(args) + list(fargs)), **kw)
    return newfunc
`)

	registerModule("itertools", "Iterator building blocks (chain, islice, groupby, product, ...).", nil, nil, `
def chain(*iterables):
    for it in iterables:
        for x in it:
            yield x

def _from_iterable(iterables):
    for it in iterables:
        for x in it:
            yield x

chain.from_iterable = _from_iterable

def islice(iterable, *args):
    if len(args) == 1:
        start, stop, step = 0, args[0], 1
    else:
        start, stop = args[0], args[1]
        step = args[2] if len(args) > 2 else 1
        if start is None:
            start = 0
        if step is None:
            step = 1
    i = 0
    nxt = start
    for x in iterable:
        if stop is not None and i >= stop:
            return
        if i == nxt:
            yield x
            nxt += step
        i += 1

def count(start=0, step=1):
    n = start
    while True:
        yield n
        n += step

def repeat(obj, times=None):
    if times is None:
        while True:
            yield obj
    for _ in range(times):
        yield obj

def accumulate(iterable, func=None, initial=None):
    total = initial
    first = initial is None
    if not first:
        yield total
    for x in iterable:
        if first:
            total = x
            first = False
        elif func is None:
            total = total + x
        else:
            total = func(total, x)
        yield total

def groupby(iterable, key=None):
    out = []
    cur = []
    curkey = None
    started = False
    for x in iterable:
        k = x if key is None else key(x)
        if started and k != curkey:
            out.append((curkey, cur))
            cur = []
        cur.append(x)
        curkey = k
        started = True
    if started:
        out.append((curkey, cur))
    return [(k, iter(g)) for k, g in out]

def product(*iterables, repeat=1):
    pools = [list(p) for p in iterables] * repeat
    result = [[]]
    for pool in pools:
        result = [x + [y] for x in result for y in pool]
    return [tuple(r) for r in result]

def combinations(iterable, r):
    pool = list(iterable)
    n = len(pool)
    out = []
    def rec(start, acc):
        if len(acc) == r:
            out.append(tuple(acc))
            return
        for i in range(start, n):
            rec(i + 1, acc + [pool[i]])
    rec(0, [])
    return out

def permutations(iterable, r=None):
    pool = list(iterable)
    n = len(pool)
    r = n if r is None else r
    out = []
    def rec(acc, used):
        if len(acc) == r:
            out.append(tuple(acc))
            return
        for i in range(n):
            if i not in used:
                rec(acc + [pool[i]], used + [i])
    rec([], [])
    return out

def zip_longest(*iterables, fillvalue=None):
    lists = [list(it) for it in iterables]
    n = 0
    for l in lists:
        if len(l) > n:
            n = len(l)
    out = []
    for i in range(n):
        row = []
        for l in lists:
            row.append(l[i] if i < len(l) else fillvalue)
        out.append(tuple(row))
    return out

def starmap(function, iterable):
    for args in iterable:
        yield function(*args)

def takewhile(predicate, iterable):
    for x in iterable:
        if predicate(x):
            yield x
        else:
            return

def dropwhile(predicate, iterable):
    dropping = True
    for x in iterable:
        if dropping and predicate(x):
            continue
        dropping = False
        yield x
`)
}

func init() {
	registerModule("statistics", "mean, median, mode, stdev, pstdev, variance, pvariance.", nil, nil, `
import math

class StatisticsError(ValueError):
    pass

def _data(data, msg="no data points"):
    data = list(data)
    if not data:
        raise StatisticsError(msg)
    return data

def mean(data):
    data = _data(data, "mean requires at least one data point")
    return sum(data) / len(data)

def fmean(data):
    return float(mean(data))

def median(data):
    data = sorted(_data(data, "no median for empty data"))
    n = len(data)
    if n % 2 == 1:
        return data[n // 2]
    return (data[n // 2 - 1] + data[n // 2]) / 2

def median_low(data):
    data = sorted(_data(data))
    return data[(len(data) - 1) // 2]

def median_high(data):
    data = sorted(_data(data))
    return data[len(data) // 2]

def mode(data):
    data = _data(data, "no mode for empty data")
    best, count = None, 0
    seen = []
    counts = []
    for x in data:
        if x in seen:
            counts[seen.index(x)] += 1
        else:
            seen.append(x)
            counts.append(1)
    for i in range(len(seen)):
        if counts[i] > count:
            best, count = seen[i], counts[i]
    return best

def pvariance(data):
    data = _data(data, "pvariance requires at least one data point")
    m = sum(data) / len(data)
    return sum([(x - m) ** 2 for x in data]) / len(data)

def variance(data):
    data = _data(data)
    if len(data) < 2:
        raise StatisticsError("variance requires at least two data points")
    m = sum(data) / len(data)
    return sum([(x - m) ** 2 for x in data]) / (len(data) - 1)

def pstdev(data):
    return math.sqrt(pvariance(data))

def stdev(data):
    return math.sqrt(variance(data))
`)
}
