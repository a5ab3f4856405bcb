package pyrt

import (
	"strings"
	"testing"
)

// TestStrFidelity: str methods taken from the type (key=str.lower), full
// Unicode case mapping, expandtabs with its tab stops, and number
// literals with underscores. Expectations from CPython 3.11.
func TestStrFidelity(t *testing.T) {
	cpythonCases(t, []struct{ Code, Want string }{
		{`r = [sorted(["b", "A", "c"], key=str.lower), list(map(str.strip, [" a ", "b "])), str.upper("x"), str.replace("aXb", "X", "-")]`,
			`[["A","b","c"],["a","b"],"X","a-b"]`},
		{`r = [list(map(str.title, ["ann lee"])), str.split("a b"), str("x"), str.join(",", ["a", "b"])]`,
			`[["Ann Lee"],["a","b"],"x","a,b"]`},
		{`r = ["straße".upper(), "ÄÖÜ".lower(), "Straße".casefold(), "İ".lower() == "i̇", "abc".upper()]`,
			`["STRASSE","äöü","strasse",true,"ABC"]`},
		{`r = ["a\tb".expandtabs(4), "ab\tc\nx\ty".expandtabs(4), "\t".expandtabs(), "a\tb".expandtabs(tabsize=2), "a\tb".expandtabs(0)]`,
			`["a   b","ab  c\nx   y","        ","a b","ab"]`},
		{`r = [1_000_000, 0x_ff + 0b_1, 1_000.5 * 2, "{:_}".format(1234567), f"{1_000:,}"]`,
			`[1000000,256,2001.0,"1_234_567","1,000"]`},
		{`try:
    str.upper(5)
    r = "no error"
except TypeError:
    r = "TypeError"`, `"TypeError"`},
	})
}

// TestStarredLists: list displays with starred items (Python 3.5), as
// values; as targets they stay unpacking. Expectations from CPython 3.11.
func TestStarredLists(t *testing.T) {
	cpythonCases(t, []struct{ Code, Want string }{
		{`r = [[*range(3)], [0, *[1, 2], 3, *(4, 5)], [*"ab", *{"k": 1}], [*[*[1], 2]], [[*[1]], [2]]]`,
			`[[0,1,2],[0,1,2,3,4,5],["a","b","k"],[1,2],[[1],[2]]]`},
		{`d = {3: 0, 1: 0}
r = [[*d], [x for x in [*range(2), 5]], len([*range(3), *range(2)])]`, `[[3,1],[0,1,5],5]`},
		{`[a, *b] = [1, 2, 3]
r = [a, b]
for [x, *y] in [[4, 5, 6]]:
    r.append([x, y])`, `[1,[2,3],[4,[5,6]]]`},
		{`r = [
    *[1],
    2,
    *[3],
]`, `[1,2,3]`},
	})
	src := "r = [\n    *a,\n    b,\n]\nx = 1\n"
	out, err := Rewrite(src)
	if err != nil || strings.Count(out, "\n") != strings.Count(src, "\n") || !strings.HasSuffix(out, "\nx = 1\n") {
		t.Errorf("lines moved:\n%s", out)
	}
}

// TestOperatorModule: operator.itemgetter and friends, as sort keys and
// with functools.reduce. Expectations from CPython 3.11.
func TestOperatorModule(t *testing.T) {
	cpythonCases(t, []struct{ Code, Want string }{
		{`from operator import itemgetter, attrgetter, methodcaller, mul, add
import functools
rows = [{"n": "b", "v": 2}, {"n": "a", "v": 1}]
r = [sorted(rows, key=itemgetter("v")), itemgetter(0, 2)([1, 2, 3]), methodcaller("split", ",")("a,b"),
     functools.reduce(mul, [1, 2, 3, 4]), add("a", "b"), sorted([(1, "b"), (0, "c")], key=itemgetter(1))]`,
			`[[{"n":"a","v":1},{"n":"b","v":2}],[1,3],["a","b"],24,"ab",[[1,"b"],[0,"c"]]]`},
	})
}

// TestTypeHints: typing's names, variable annotations (Python 3.6; a
// multi-line one keeps the lines below in place) and logging, whose calls
// write to the event's log.
func TestTypeHints(t *testing.T) {
	cpythonCases(t, []struct{ Code, Want string }{
		{`from typing import Dict, Any, List, Optional, cast
def f(a: int, b: "str" = "x") -> Dict[str, Any]:
    x: int = a + 1
    y: List[int]
    z: Dict[
        str, int] = {"k": x}
    return cast(dict, z)
r = [f(1), Optional[int] is not None]`, `[{"k":2},true]`},
	})
	src := "x: Dict[\n    str, int] = {}\ny = 1\n"
	out, err := Rewrite(src)
	if err != nil || strings.Count(out, "\n") != strings.Count(src, "\n") || !strings.Contains(out, "\ny = 1\n") || strings.Contains(out, "Dict") {
		t.Errorf("rewrite of a multi-line annotation:\n%s", out)
	}
	in, perr := NewInterp("import logging\nlog = logging.getLogger(__name__)\ndef transform(event):\n    log.info('n=%d', 3)\n    logging.warning('w')\n    return event\n", "transform")
	if perr != nil {
		t.Fatal(perr)
	}
	if res := in.Run([]byte(`{}`), nil); res.Err != nil || strings.Join(res.Logs, "|") != "INFO: n=3|WARNING: w" {
		t.Errorf("logging: %+v", res)
	}
}

// TestUnicodedata: stripping accents as transforms do it, and encode's
// errors handlers. Expectations from CPython 3.11.
func TestUnicodedata(t *testing.T) {
	cpythonCases(t, []struct{ Code, Want string }{
		{`import unicodedata
def slug(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
r = [slug("Crème Brûlée"), "".join(c for c in unicodedata.normalize("NFD", "Ångström") if not unicodedata.combining(c)),
     [unicodedata.category(c) for c in "aA1 -é€"], unicodedata.normalize("NFC", "e\u0301") == "é",
     "é-x".encode("ascii", "replace").decode(), "é-x".encode("ascii", errors="ignore").decode()]`,
			`["Creme Brulee","Angstrom",["Ll","Lu","Nd","Zs","Pd","Ll","Sc"],true,"?-x","-x"]`},
	})
}
