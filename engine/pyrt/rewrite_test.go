package pyrt

import (
	"strings"
	"testing"

	"github.com/go-python/gpython/py"
)

func TestRewrite(t *testing.T) {
	cases := []struct{ in, want string }{
		{`x = f"hi {name} {n:.2f} {n!r}"`, `x = __fmt__("hi {} {:.2f} {!r}", (name), (n), (n))`},
		{`x = f'{d["k"]!s:>{w}}' "lit{}"`, `x = __fmt__('{!s:>{}}' "lit{{}}", (d["k"]), (w))`},
		{`x = f"{a != b}{x=}"`, `x = __fmt__("{}x={!r}", (a != b), (x))`},
		{`x = rf"\d{n}"`, `x = __fmt__(r"\d{}", (n))`},
		{"s = f'''\n{a}\n'''\ny = 1", "s = __fmt__('''\n{}\n''', (a))\ny = 1"},
		{`x = "%s=%d" % (k, v) + "!"`, `x = __pct__("%s=%d" , (k, v)) + "!"`},
		{`x = a * b % c`, `x = __pct__(__times__(a , b) , c)`},
		{`x = 2 * b % c`, `x = 2 * b % c`},
		{`x = -a % b`, `x = __pct__(__negate__(a) , b)`},
		{`x = -1 % b`, `x = -1 % b`},
		{`z = fmt % args % more`, `z = __pct__(__pct__(fmt , args) , more)`},
		{`x = "%d" % y.z[1](2) ** 2`, `x = __pct__("%d" , __getix__(y.z, 1)(2) ** 2)`},
		{`d = {**a, 'k': v, **b}`, `d = __merge__(a, {'k': v}, b)`},
		{`d = {'k': {**a}}`, `d = {'k': __merge__(a)}`},
		{"for k in d:\n    pass", "for k in __it__((d)):\n    pass"},
		{`o = {"b": x, "a": [1, 2]}`, `o = __dict__("b", x, "a", [1, 2])`},
		{"o[\"k\"] = v + 1\nif a: d[k][j] = f(x)", "__setitem__(o, (\"k\"), ( v + 1))\nif a: __setitem__(__getix__(d, k), (j), ( f(x)))"},
		{"l[1:2] = [3]\nx = y[0] = 3\na[0], b = 1, 2\nd[k] += 1", "l[1:2] = [3]\nx = y[0] = 3\na[0], b = 1, 2\n__setitem__(d, (k), __getix__(d, (k)) + 1)"},
		{`r = {k.lower(): v for k, v in d.items() if v}`, `r = __dict_pairs__([(k.lower(), v ) for k, v in __it__((__items__(d))) if v])`},
		{`r = {x for x in y}`, `r = __setc__([x for x in __it__((y))])`},
		{`a, b = d`, `a, b = __it__((d))`},
		{`(a, *b) = f(x)`, `(a, *b) = __it__((f(x)))`},
		{`a, b = b, a`, `a, b = b, a`},
		{`a = b`, `a = b`},
		{`f(x, *d, k=1)`, `f(x, *__it__((d)), k=1)`},
		{`def g(a, *args): return h(lambda x, *y: x)`, `def g(a, *args): return h(lambda x, *y: x)`},
		{`r = {a, (b, c)}`, `r = __set__(a, (b, c))`},
		{`r = {"a", "b"} | {1, 2}`, `r = {"a", "b"} | {1, 2}`},
		{`r = ", ".join(d)`, `r = __join__(", ", d)`},
		{`r = dict.fromkeys(k, 0)`, `r = __fromkeys__(k, 0)`},
		{`r = sorted(d, key=str)`, `r = sorted(d, key=str)`},
		{`r = list(d, key=str)`, `r = __list__(d, key=str)`},
		{"o.update({'a': 1})\nx.y.setdefault('k', []).append(1)\nz.update()", "__update__(o, {'a': 1})\n__setdefault__(x.y, 'k', []).append(1)\n__update__(z)"},
		{`k = list(d.keys()) + list(t)`, `k = __list__(__keys__(d)) + __list__(t)`},
		{"def list(x): pass\nk = list(d)", "def list(x): pass\nk = list(d)"},
		{`r = [(1, 2) < (1, 3), v >= [1, 2], a < b, x + (1, 2) < y, a < (1, 2) < c]`, `r = [__cmp__("<", (1, 2) , (1, 3)), __cmp__(">=", v , [1, 2]), a < b, __plus__(x , (1, 2)) < y, a < (1, 2) < c]`},
		{"if ver <= (3, 8):\n    pass", "if __cmp__(\"<=\", ver , (3, 8)):\n    pass"},
		{`r = [x for x in ev["xs"] if x != ev["skip"]]`, `r = [x for x in __it__((ev["xs"])) if x != ev["skip"]]`},
		{`r = {k: v for k, v in sorted(d.items(), key=lambda t: t[1])}`, `r = __dict_pairs__([(k, v ) for k, v in __it__((sorted(__items__(d), key=lambda t: __getix__(t, 1))))])`},
		{`x = "100%" # f"{not code}"`, `x = "100%" # f"{not code}"`},
		// Binary + goes through __plus__ with Python's grouping, unless
		// one side makes gpython's + right (a literal, a str...).
		{`r = a + b`, `r = __plus__(a , b)`},
		{`r = a * b + c - d + e`, `r = __plus__(__times__(a , b) , c) - d + e`},
		{`r = -a + b ** 2 + c(d + e)[f]`, `r = __plus__(__plus__(__negate__(a) , b ** 2) , __getix__(c(__plus__(d , e)), f))`},
		{`r = x << a + b.c, not a + b, a + b < c + d`, `r = x << __plus__(a , b.c), not __plus__(a , b), __plus__(a , b) < __plus__(c , d)`},
		{`r = a + 1, "x" + a + b, a + "y" + b, a + f"{b}", s.strip() + t, len(a) + n, [1] + l, +a, a - b`,
			`r = a + 1, "x" + a + b, a + "y" + b, a + __fmt__("{}", (b)), s.strip() + t, len(a) + n, [1] + l, __posit__(a), __minus__(a , b)`},
		{`r = [a - 1, 1 - a, a * 2, x / 2.0, len(a) / len(b), -1, ~a, a ** 2, a ** b, a * b * c, a / b // c, a - b * c]`,
			`r = [a - 1, 1 - a, a * 2, x / 2.0, len(a) / len(b), -1, __flip__(a), a ** 2, __power__(a , b), __times__(a , b) * c, __divide__(a , b) // c, a - __times__(b , c)]`},
		{`r = -x ** 2; f(*args, **kw); from m import *; s = "-" * 20; t = x[-n:]`,
			`r = -x ** 2; f(*__it__((args)), **kw); from m import *; s = "-" * 20; t = x[__negate__(n):]`},
		{"r = (a\n     + b)", "r = (__plus__(a\n     , b))"},
		// Subscripts and in with keys that are not str literals go
		// through helpers (dict keys of any type); str literals do not.
		{`r = [e["k"], e[k], l[0], l[1:], l[i][j], k in d, "k" in e, x not in s, (a, b) in t]`,
			`r = [e["k"], __getix__(e, k), __getix__(l, 0), l[1:], __getix__(__getix__(l, i), j), __in__(k, d), "k" in e, not __in__(x, s), __in__((a, b), t)]`},
		{"del d[k]\nd[1, 2] = 3\nd[k][1] += 1\nfor k, v in x:\n    pass\nr = {1: 'a'}",
			"__delix__(d, (k))\n__setitem__(d, (1, 2), ( 3))\n__setitem__(__getix__(d, k), (1), __getix__(__getix__(d, k), (1)) + 1)\nfor k, v in __it__((x)):\n    pass\nr = __dict__(1, 'a')"},
		// := becomes an assignment of its own (lines may be added).
		{"if (m := f(x)):\n    pass", "m = f(x)\nif (m):\n    pass"},
		{"if a:\n    pass\nelif (m := f(x)) > 1:\n    pass\nelse:\n    pass", "if a:\n    pass\nelse:\n m = f(x)\n if (m) > 1:\n    pass\n else:\n    pass"},
		{"while (n := f()) > 0:\n    g(n)", "while True:\n    n = f()\n    if not ((n) > 0): break\n    g(n)"},
		{"r = [y := 5, y]", "y = 5; r = [y, y]"},
		{"r = [y for x in l if (y := g(x))]", "r = [y for x in __it__((l)) for y in __it__(([g(x)])) if (y)]"},
		{"t += (1,)\nn += 1\ns += 'x'\nd[k] += v\nif c: total += x", "t = __iplus__(t, ( (1,)))\nn += 1\ns = __iplus__(s, ( 'x'))\n__setitem__(d, (k), __plus__(__getix__(d, (k)) , v))\nif c: total = __iplus__(total, ( x))"},
	}
	for _, c := range cases {
		got, err := Rewrite(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("Rewrite(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{`f"{"`, `f"}"`, `f"{}"`, `f"{x!}"`} {
		if _, err := Rewrite(bad); err == nil {
			t.Errorf("Rewrite(%s): no error", bad)
		}
	}
}

// FuzzRewrite: the rewrite never panics, never moves a line, and never
// breaks code that compiled before it.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		`x = f"hi {name} {n:.2f} {n!r} {{}} {a != b} {x=} {y:{w}.{p}f}"`,
		"s = f'''\n{a}\n{b!r:>10}'''\ny = 1\n",
		`x = rf"\d{n}" "plain {}" f'{d["k"]}'`,
		"x = '%s=%d' % (k, v) + '!'; y = a * b % c; z = -a % b\n",
		"d = {**a, 'k': v, **b}\nfor k in d:\n    print(k, [x for x in d if x])\n",
		"def f(e):\n    return f\"{e['a']:>{e['w']}}\" % ()\n",
		"x = (1,\n     f'{2}',\n     3)\n",
		"if a:\n    b = {'x': [i for i in range(3)]}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := Rewrite(src)
		if err != nil {
			if err.Line < 0 || err.Line > strings.Count(src, "\n")+1 {
				t.Fatalf("error line %d outside the source", err.Line)
			}
			return
		}
		if a, b := strings.Count(src, "\n"), strings.Count(out, "\n"); a != b {
			t.Fatalf("rewrite changed the line count %d -> %d:\n%s\n---\n%s", a, b, src, out)
		}
		if strings.ContainsAny(src, "fF") && strings.ContainsAny(src, "'\"") {
			return // f-strings: gpython cannot compile the original to compare
		}
		if _, cerr := py.Compile(src+"\n", "<fuzz>", py.ExecMode, 0, true); cerr != nil {
			return
		}
		if _, cerr := py.Compile(out+"\n", "<fuzz>", py.ExecMode, 0, true); cerr != nil {
			t.Fatalf("rewrite broke code that compiled: %v\n%s\n---\n%s", cerr, src, out)
		}
	})
}
