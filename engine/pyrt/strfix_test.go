package pyrt

import "testing"

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
