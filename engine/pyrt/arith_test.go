package pyrt

import "testing"

// cpythonCases runs snippets that leave their result in r and compares
// the JSON of r with what CPython 3.11 gives (json.dumps with compact
// separators, tuples as lists, errors as "ERROR Type: message").
func cpythonCases(t *testing.T, cases []struct{ Code, Want string }) {
	t.Helper()
	for _, c := range cases {
		if got := runR(t, c.Code); got != c.Want {
			t.Errorf("%s\n got  %s\n want %s", c.Code, got, c.Want)
		}
	}
}

// TestPlus: binary + and += as CPython computes them (bool + bool is an
// int, tuples concatenate whatever their lengths, lists += any iterable
// in place). Expectations from CPython 3.11.
func TestPlus(t *testing.T) {
	cases := []struct{ Code, Want string }{
		{`r = [True + True, True + False, False + False, True + 1, 1 + True, True + 1.5, sum([True]), True + True + True]`, `[2,1,0,2,2,2.5,1,3]`},
		{`a, b = True, True
r = [a + b, a + b * 2, -1 + a, a + b + b, (a + b) * 3, a + a - b]`, `[2,3,0,3,6,1]`},
		{`r = [(1,) + (2, 3), (1, 2) + (3,), () + (1,), (1, 2) + ()]`, `[[1,2,3],[1,2,3],[1],[1,2]]`},
		{`t = (1,)
u = (2, 3)
r = [t + u, u + t, t + u + t, list(t + u)]`, `[[1,2,3],[2,3,1],[1,2,3,1],[1,2,3]]`},
		{`t = (1,)
t += (2, 3)
t += (4,)
r = t`, `[1,2,3,4]`},
		{`l = [1]
m = l
l += (2, 3)
l += 'ab'
l += [4]
r = [l, m is l, m]`, `[[1,2,3,"a","b",4],true,[1,2,3,"a","b",4]]`},
		{`n = True
n += True
s = 'a'
s += 'b'
x = 1
x += 2.5
r = [n, s, x]`, `[2,"ab",3.5]`},
		{`a, b, c = 'x', 'y', 'z'
r = [a + b + c, a + 'q' + b, 'p' + a + b, a * 2 + b, a + b * 2, a + str(1) + c]`, `["xyz","xqy","pxy","xxy","xyy","x1z"]`},
		{`def f(x, y):
    return x + y
r = [f(1, 2), f(True, True), f((1,), (2, 3)), f('a', 'b'), f([1], [2]), f(1.5, 2)]`, `[3,2,[1,2,3],"ab",[1,2],3.5]`},
		{`a, b = 3, 4
r = [a + b < 8, a + b == 7, not a + b, a + b if a else 0, [a + b for _ in range(2)], {'k': a + b}, (a + b,)]`, `[true,true,false,7,[7,7],{"k":7},[7]]`},
		{`x = 2
r = [2 ** x + 1, x ** 2 + x, -x + x, x + -x, x << 1 + 1, x % 3 + x, '%d' % x + 'a', x + x % 3]`, `[5,6,0,0,8,4,"2a",4]`},
		{`r = 'ab' 'cd' + 'ef'`, `"abcdef"`},
		{`a = (1,)
b = (2, 3)
r = (a
     + b)`, `[1,2,3]`},
		{`a, b = 'a', 1
try:
    r = a + b
except TypeError as e:
    r = str(e)`, `"can only concatenate str (not \"int\") to str"`},
		{`a, b = (1,), [2]
try:
    r = a + b
except TypeError as e:
    r = str(e)`, `"can only concatenate tuple (not \"list\") to tuple"`},
		{`a, b = [1], (2,)
try:
    r = a + b
except TypeError as e:
    r = str(e)`, `"can only concatenate list (not \"tuple\") to list"`},
		{`d = {'a': (1,), 'b': (2, 3)}
r = d['a'] + d['b']`, `[1,2,3]`},
		{`total = 0
for v in [True, True, False, 2]:
    total += v
r = total`, `4`},
		{`class V:
    def __init__(self, v): self.v = v
    def __add__(self, o): return V(self.v + o.v)
r = (V(1) + V(2)).v`, `3`},
		{`s = ''
for w in ['a', 'b']:
    s += w
    s += '-'
r = s`, `"a-b-"`},
		{`a, b = [1, 2], [3]
r = [a + b, a + b + [4], [0] + a, a]`, `[[1,2,3],[1,2,3,4],[0,1,2],[1,2]]`},
	}
	cpythonCases(t, cases)
}

// TestBoolArithmetic: bools are ints for unary -, + and ~ and binary -,
// *, /, //, % and ** (gpython raised TypeError), and ints are left as
// they were. Expectations from CPython 3.11.
func TestBoolArithmetic(t *testing.T) {
	cases := []struct{ Code, Want string }{
		{`t, f = True, False
r = [-t, -f, +t, ~t, ~f, t - f, f - t, t - t, t * t, t * f, t / t, f / t, t // t, t ** t, f ** t, t % t]`, `[-1,0,1,-2,-1,1,-1,0,1,0,1.0,0.0,1,1,0,0]`},
		{`t = True
r = [t - 1, 1 - t, t * 2, 2 * t, 1 / t, t / 2, t / 2.0, 7 // t, t // 2.0, 2 ** t, t ** 2, -t ** 2, 2 * -t, -(t), - t + 1, -t * 3]`, `[0,0,2,2,1.0,0.5,0.5,7,0.0,2,1,-1,-2,-1,0,-3]`},
		{`a, b, c = True, True, False
r = [a * b * 3, a - b - c, a * b - c, a / b / 2, -a - b, a - b * c, (a - b) * 4, a ** b ** c, divmod(a, b), pow(a, b), abs(-a)]`, `[3,0,1,0.5,-2,1,0,1,[1,0],1,1]`},
		{`def f(flags):
    n = 0
    for x in flags:
        n = n - x
    return [n, -n, sum(flags) / len(flags), flags[0] * flags[1]]
r = f([True, True, False])`, `[-2,2,0.6666666666666666,1]`},
		{`x, y = 7, 2
r = [x - y, x * y, x / y, x // y, x ** y, -x, ~x, +x, x - y * 2, x / y / 2, -x // y, 2.5 * y - x]`, `[5,14,3.5,3,49,-7,-8,7,3,1.75,-4,-2.0]`},
	}
	cpythonCases(t, cases)
}
