package pyrt

import (
	"strings"
	"testing"
)

// TestNestedComprehensionsInFunctions: a comprehension inside a function
// whose loop variable an inner comprehension reads, and which reads a
// variable of the function too. gpython's compiler handed such a scope
// the wrong cells (the grouping idiom failed with "'int' object is not
// iterable", or silently read one variable for another). Expectations
// from CPython 3.11.
func TestNestedComprehensionsInFunctions(t *testing.T) {
	wrap := func(body string) string {
		return "def f(people, b):\n    " + body + "\nr = f([{'name': 'bo', 'age': 30}, {'name': 'al', 'age': 25}], 1)"
	}
	cpythonCases(t, []struct{ Code, Want string }{
		{wrap(`return {a: [p["name"] for p in people if p["age"] == a] for a in sorted({p["age"] for p in people})}`), `{"25":["al"],"30":["bo"]}`},
		{wrap(`return [[a for p in people] for a in [25, 30]]`), `[[25,25],[30,30]]`},
		{wrap(`return [[a + b for p in people] for a in [25, 30]]`), `[[26,26],[31,31]]`},
		{wrap(`return [(lambda: a * b)() for a in [1, 2]]`), `[1,2]`},
		{wrap(`return [[x for x in [a, people[0]["age"]]] for a in [1]]`), `[[1,30]]`},
		{wrap(`return [[n for n in range(a)] for a in [b, b + 1]]`), `[[0],[0,1]]`},
		{`def outer(xs):
    k = 10
    def inner(y):
        m = 2
        return [(lambda: m * y + k)() for _ in xs]
    return inner(3)
r = outer([1, 2])`, `[16,16]`},
	})
	// Where one number still stands for two variables read in the same
	// place, the code is refused with the line, not run wrong.
	_, err := NewInterp("def transform(event):\n    people = event['p']\n    return [[a for p in people] + [len(people), a] for a in [1]]\n", "transform")
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), `"people"`) {
		t.Errorf("want a compile error at line 3, got %v", err)
	}
}
