package pyrt

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestWalrus: the forms of := that Sluice supports, against CPython 3.11.
func TestWalrus(t *testing.T) {
	cases := []struct{ Code, Want string }{
		{`r = [y := 5, y]`, `[5,5]`},
		{`import re
def f(s):
    if (m := re.match(r'(\w+)@(\w+)', s)):
        return m.group(2)
    elif (n := len(s)) > 3:
        return n
    elif s == 'x':
        return 'x'
    else:
        return None
r = [f('a@b'), f('abcdef'), f('x'), f('ab')]`, `["b",6,"x",null]`},
		{`def f(items):
    out = []
    it = iter(items)
    while (n := next(it, 0)) > 0:
        out.append(n)
    return [out, n]
r = f([3, 2, 1, 0, 5])`, `[[3,2,1],0]`},
		{`def f(items):
    out = []
    while (x := items.pop() if items else None):
        if x == 2:
            continue
        out.append(x)
    return out
r = f([1, 2, 3])`, `[3,1]`},
		{`data = [1, -2, 3, -4]
r = [y for x in data if (y := x * 10) > 0]`, `[10,30]`},
		{`data = [1, 2, 3]
r = [(y := x * x) + y for x in data]`, `[2,8,18]`},
		{`r = {k: v for k, v in [('a', 1), ('b', 2)] if (v2 := v * 2) > 2}`, `{"b":2}`},
		{`def f(d):
    if (v := d.get('k')) is not None and v > 1:
        return v
    return -1
r = [f({'k': 2}), f({'k': 1}), f({})]`, `[2,-1,-1]`},
		{`def f(x):
    if not (n := len(x)):
        return 'empty'
    return n
r = [f(''), f('ab')]`, `["empty",2]`},
		{`x = 0
while (x := x + 1) < 3: pass
r = x`, `3`},
		{`def f(s):
    if s: return 1
    elif (n := len(s)) == 0: return n
    else: return 2
r = f('')`, `0`},
		{`total = 0
if (n := 4): total += n
r = total`, `4`},
		{`def f(a):
    b = [x for x in a if (c := x)]
    return b
r = f([0, 1, 2])`, `[1,2]`},
		{`import re
lines = ['a=1', 'b', 'c=3']
r = [m.group(1) for l in lines if (m := re.match(r'\w=(\d)', l))]`, `["1","3"]`},
	}
	cpythonCases(t, cases)
}

// TestWalrusErrors: unsupported forms fail at compile time with the
// user's line and column, and errors after inserted lines still name the
// user's lines.
func TestWalrusErrors(t *testing.T) {
	bad := []struct {
		code      string
		line, col int
		msg       string
	}{
		{"x = 1\nif x and (m := f(x)):\n    pass", 2, 11, "must come first in the condition"},
		{"r = [f(), (y := 2)]", 1, 12, "must be the first thing"},
		{"r = [y for x in l if (y := x)]\nprint(y)", 1, 23, "used outside it"},
		{"r = [x for x in (y := l)]", 1, 18, "iterable"},
		{"f = lambda: (y := 1)", 1, 14, "lambda"},
		{"while (n := f()) > 0:\n    pass\nelse:\n    pass", 1, 1, "while ... else"},
		{"for x in (y := l):\n    pass", 1, 11, "not supported"},
		{"r = (a.b := 1)", 1, 10, "target"},
	}
	for _, c := range bad {
		err := CheckSyntax(c.code)
		if err == nil {
			t.Errorf("%q: no error", c.code)
			continue
		}
		if err.Line != c.line || err.Col != c.col || !strings.Contains(err.Message, c.msg) {
			t.Errorf("%q: got line %d col %d %q, want line %d col %d %q", c.code, err.Line, err.Col, err.Message, c.line, c.col, c.msg)
		}
	}

	// A runtime error and a syntax error below inserted lines.
	code := "import re\ndef transform(event):\n    if (m := re.match('a', event['s'])):\n        x = 1\n    elif (n := len(event['s'])) > 1:\n        x = 2\n    while (k := event.get('k', 0)) > 0:\n        event['k'] = k - 1\n    return event['missing']\n"
	rep, err := Test(context.Background(), TestRequest{Code: code, Timeout: 5 * time.Second, Events: []json.RawMessage{json.RawMessage(`{"s": "bb", "k": 2}`)}})
	if err != nil || rep.CompileError != nil {
		t.Fatal(err, rep.CompileError)
	}
	if e := rep.Results[0].Error; e == nil || e.Line != 9 || e.SourceLine != "return event['missing']" {
		t.Errorf("runtime error: got %+v, want line 9", e)
	}
	perr := CheckSyntax("if (m := f()):\n    pass\nwhile (n := g()):\n    pass\nx = = 1\n")
	if perr == nil || perr.Line != 5 {
		t.Errorf("syntax error: got %+v, want line 5", perr)
	}
}
