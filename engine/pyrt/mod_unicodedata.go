package pyrt

import (
	"unicode"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
	"golang.org/x/text/unicode/norm"
)

// unicodedata, the part transforms use: normalize (stripping accents is
// normalize("NFKD", s) and dropping the combining marks), combining and
// category.
func init() {
	registerModule("unicodedata", "Unicode normalization and character properties.", []*py.Method{
		method("normalize", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "normalize() takes exactly 2 arguments (%d given)", len(args))
			}
			form, ok1 := args[0].(py.String)
			s, ok2 := args[1].(py.String)
			if !ok1 || !ok2 {
				return nil, py.ExceptionNewf(py.TypeError, "normalize() argument must be str")
			}
			f, ok := map[py.String]norm.Form{"NFC": norm.NFC, "NFD": norm.NFD, "NFKC": norm.NFKC, "NFKD": norm.NFKD}[form]
			if !ok {
				return nil, py.ExceptionNewf(py.ValueError, "invalid normalization form")
			}
			return py.String(f.String(string(s))), nil
		}),
		method("combining", func(_ py.Object, arg py.Object) (py.Object, error) {
			r, err := oneChar("combining", arg)
			if err != nil {
				return nil, err
			}
			var buf [utf8.UTFMax]byte
			return py.Int(norm.NFD.Properties(buf[:utf8.EncodeRune(buf[:], r)]).CCC()), nil
		}),
		method("category", func(_ py.Object, arg py.Object) (py.Object, error) {
			r, err := oneChar("category", arg)
			if err != nil {
				return nil, err
			}
			return py.String(category(r)), nil
		}),
	}, nil, "")
}

func oneChar(fn string, o py.Object) (rune, error) {
	s, ok := o.(py.String)
	if !ok || utf8.RuneCountInString(string(s)) != 1 {
		return 0, py.ExceptionNewf(py.TypeError, "%s() argument must be a unicode character", fn)
	}
	r, _ := utf8.DecodeRuneInString(string(s))
	return r, nil
}

// categoryOrder lists the two-letter general categories; the first table
// that holds the rune names it ("Cn" when none does).
var categoryOrder = []string{"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
	"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co"}

func category(r rune) string {
	for _, c := range categoryOrder {
		if t, ok := unicode.Categories[c]; ok && unicode.Is(t, r) {
			return c
		}
	}
	return "Cn"
}
