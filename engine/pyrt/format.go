package pyrt

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

// formatString implements str.format (gpython has none): auto and
// explicit field numbers, names, .attr and [key] lookups, !r/!s/!a and the
// format-spec mini-language, with nested fields inside specs.
func formatString(f string, args py.Tuple, kwargs py.StringDict) (string, error) {
	return formatOrdered(f, args, kwargs, nil)
}

// formatOrdered is str.format with dicts printed in their recorded key
// order (f-strings, which know the interpreter).
func formatOrdered(f string, args py.Tuple, kwargs py.StringDict, order keyOrder) (string, error) {
	var b strings.Builder
	auto := 0
	if err := formatInto(&b, f, args, kwargs, &auto, 0, order); err != nil {
		return "", err
	}
	return b.String(), nil
}

func formatInto(b *strings.Builder, f string, args py.Tuple, kwargs py.StringDict, auto *int, depth int, order keyOrder) error {
	if depth > 2 {
		return py.ExceptionNewf(py.ValueError, "Max string recursion exceeded")
	}
	for i := 0; i < len(f); {
		c := f[i]
		if c == '}' {
			if i+1 < len(f) && f[i+1] == '}' {
				b.WriteByte('}')
				i += 2
				continue
			}
			return py.ExceptionNewf(py.ValueError, "Single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(f) && f[i+1] == '{' {
			b.WriteByte('{')
			i += 2
			continue
		}
		// Find the matching close brace, allowing nested fields in the spec.
		level, j := 1, i+1
		for ; j < len(f) && level > 0; j++ {
			switch f[j] {
			case '{':
				level++
			case '}':
				level--
			}
		}
		if level != 0 {
			return py.ExceptionNewf(py.ValueError, "expected '}' before end of string")
		}
		field := f[i+1 : j-1]
		i = j
		// Split field into name, conversion and spec.
		name, conv, spec := field, "", ""
		inBracket := false
		for k := 0; k < len(field); k++ {
			switch field[k] {
			case '[':
				inBracket = true
			case ']':
				inBracket = false
			case '!', ':':
				if inBracket {
					continue
				}
				name = field[:k]
				rest := field[k:]
				if rest[0] == '!' {
					if len(rest) < 2 {
						return py.ExceptionNewf(py.ValueError, "end of string while looking for conversion specifier")
					}
					conv = rest[1:2]
					rest = rest[2:]
					if rest != "" && rest[0] != ':' {
						return py.ExceptionNewf(py.ValueError, "expected ':' after conversion specifier")
					}
				}
				if rest != "" {
					spec = rest[1:]
				}
				k = len(field)
			}
		}
		obj, err := lookupField(name, args, kwargs, auto)
		if err != nil {
			return err
		}
		switch conv {
		case "":
		case "r", "a":
			s, err := reprOrdered(obj, order)
			if err != nil {
				return err
			}
			obj = py.String(s)
		case "s":
			s, err := strOrdered(obj, order)
			if err != nil {
				return err
			}
			obj = py.String(s)
		default:
			return py.ExceptionNewf(py.ValueError, "Unknown conversion specifier %s", conv)
		}
		if strings.ContainsRune(spec, '{') {
			var sb strings.Builder
			if err := formatInto(&sb, spec, args, kwargs, auto, depth+1, order); err != nil {
				return err
			}
			spec = sb.String()
		}
		var s string
		if spec == "" {
			s, err = strOrdered(obj, order)
		} else {
			s, err = formatValue(obj, spec)
		}
		if err != nil {
			return err
		}
		b.WriteString(s)
	}
	return nil
}

func lookupField(name string, args py.Tuple, kwargs py.StringDict, auto *int) (py.Object, error) {
	first := name
	rest := ""
	if k := strings.IndexAny(name, ".["); k >= 0 {
		first, rest = name[:k], name[k:]
	}
	var obj py.Object
	switch {
	case first == "":
		if *auto < 0 {
			return nil, py.ExceptionNewf(py.ValueError, "cannot switch from manual field specification to automatic field numbering")
		}
		if *auto >= len(args) {
			return nil, py.ExceptionNewf(py.IndexError, "Replacement index %d out of range for positional args tuple", *auto)
		}
		obj = args[*auto]
		*auto++
	case first[0] >= '0' && first[0] <= '9':
		n, err := strconv.Atoi(first)
		if err != nil {
			return nil, py.ExceptionNewf(py.ValueError, "invalid field %q", first)
		}
		if *auto > 0 {
			return nil, py.ExceptionNewf(py.ValueError, "cannot switch from automatic field numbering to manual field specification")
		}
		*auto = -1
		if n >= len(args) {
			return nil, py.ExceptionNewf(py.IndexError, "Replacement index %d out of range for positional args tuple", n)
		}
		obj = args[n]
	default:
		v, ok := kwargs[first]
		if !ok {
			return nil, py.ExceptionNewf(py.KeyError, "'%s'", first)
		}
		obj = v
	}
	for rest != "" {
		if rest[0] == '.' {
			k := strings.IndexAny(rest[1:], ".[")
			attr := rest[1:]
			if k >= 0 {
				attr, rest = rest[1:k+1], rest[k+1:]
			} else {
				rest = ""
			}
			v, err := py.GetAttrString(obj, attr)
			if err != nil {
				return nil, err
			}
			obj = v
			continue
		}
		k := strings.IndexByte(rest, ']')
		if k < 0 {
			return nil, py.ExceptionNewf(py.ValueError, "Missing ']' in format string")
		}
		key := rest[1:k]
		rest = rest[k+1:]
		var kobj py.Object = py.String(key)
		if n, err := strconv.Atoi(key); err == nil {
			kobj = py.Int(n)
		}
		v, err := py.GetItem(obj, kobj)
		if err != nil {
			return nil, err
		}
		obj = v
	}
	return obj, nil
}

// spec is a parsed format spec: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
type spec struct {
	fill      rune
	align     byte
	sign      byte
	alt       bool
	zero      bool
	width     int
	grouping  byte
	precision int
	typ       byte
}

func parseSpec(s string) (spec, error) {
	sp := spec{fill: ' ', precision: -1}
	rs := []rune(s)
	i := 0
	isAlign := func(r rune) bool { return r == '<' || r == '>' || r == '^' || r == '=' }
	if len(rs) >= 2 && isAlign(rs[1]) {
		sp.fill, sp.align = rs[0], byte(rs[1])
		i = 2
	} else if len(rs) >= 1 && isAlign(rs[0]) {
		sp.align = byte(rs[0])
		i = 1
	}
	if i < len(rs) && (rs[i] == '+' || rs[i] == '-' || rs[i] == ' ') {
		sp.sign = byte(rs[i])
		i++
	}
	if i < len(rs) && rs[i] == 'z' {
		i++
	}
	if i < len(rs) && rs[i] == '#' {
		sp.alt = true
		i++
	}
	if i < len(rs) && rs[i] == '0' {
		sp.zero = true
		i++
	}
	start := i
	for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
		i++
	}
	if i > start {
		sp.width, _ = strconv.Atoi(string(rs[start:i]))
	}
	if i < len(rs) && (rs[i] == ',' || rs[i] == '_') {
		sp.grouping = byte(rs[i])
		i++
	}
	if i < len(rs) && rs[i] == '.' {
		i++
		start = i
		for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
			i++
		}
		if i == start {
			return sp, py.ExceptionNewf(py.ValueError, "Format specifier missing precision")
		}
		sp.precision, _ = strconv.Atoi(string(rs[start:i]))
	}
	if i < len(rs) {
		sp.typ = byte(rs[i])
		i++
	}
	if i != len(rs) {
		return sp, py.ExceptionNewf(py.ValueError, "Invalid format specifier '%s'", s)
	}
	return sp, nil
}

// formatValue is format(obj, spec).
func formatValue(obj py.Object, s string) (string, error) {
	if s == "" {
		return strOf(obj)
	}
	if f, ok := obj.(formatter); ok {
		return f.format(s)
	}
	if isUserInstance(obj) {
		if res, ok, err := py.TypeCall1(obj, "__format__", py.String(s)); ok {
			if err != nil {
				return "", err
			}
			return strOf(res)
		}
	}
	sp, err := parseSpec(s)
	if err != nil {
		return "", err
	}
	switch x := obj.(type) {
	case py.Bool:
		if sp.typ == 0 || sp.typ == 's' {
			return pad(strString(x), sp, '<'), nil
		}
		return formatInt(big.NewInt(int64(boolAsInt(x).(py.Int))), sp)
	case py.Int:
		if sp.typ == 'e' || sp.typ == 'E' || sp.typ == 'f' || sp.typ == 'F' || sp.typ == 'g' || sp.typ == 'G' || sp.typ == '%' {
			return formatFloat(float64(x), sp)
		}
		return formatInt(big.NewInt(int64(x)), sp)
	case *py.BigInt:
		return formatInt((*big.Int)(x), sp)
	case py.Float:
		return formatFloat(float64(x), sp)
	case py.String:
		if sp.typ != 0 && sp.typ != 's' {
			return "", py.ExceptionNewf(py.ValueError, "Unknown format code '%c' for object of type 'str'", sp.typ)
		}
		str := string(x)
		if sp.precision >= 0 && utf8.RuneCountInString(str) > sp.precision {
			str = string([]rune(str)[:sp.precision])
		}
		return pad(str, sp, '<'), nil
	}
	str, err := strOf(obj)
	if err != nil {
		return "", err
	}
	if sp.typ != 0 && sp.typ != 's' {
		return "", py.ExceptionNewf(py.TypeError, "unsupported format string passed to %s.__format__", obj.Type().Name)
	}
	return pad(str, sp, '<'), nil
}

// formatter is implemented by Go-backed objects with their own format
// language (datetime).
type formatter interface {
	format(spec string) (string, error)
}

func pad(s string, sp spec, defAlign byte) string {
	n := utf8.RuneCountInString(s)
	if n >= sp.width {
		return s
	}
	align := sp.align
	if align == 0 {
		align = defAlign
	}
	fill := string(sp.fill)
	gap := sp.width - n
	switch align {
	case '<':
		return s + strings.Repeat(fill, gap)
	case '^':
		return strings.Repeat(fill, gap/2) + s + strings.Repeat(fill, gap-gap/2)
	case '=':
		if s != "" && (s[0] == '-' || s[0] == '+' || s[0] == ' ') {
			return s[:1] + strings.Repeat(fill, gap) + s[1:]
		}
	}
	return strings.Repeat(fill, gap) + s
}

func group(digits string, sep byte, every int) string {
	if sep == 0 || len(digits) <= every {
		return digits
	}
	var b strings.Builder
	first := len(digits) % every
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += every {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(digits[i : i+every])
	}
	return b.String()
}

func signed(neg bool, body string, sp spec) string {
	switch {
	case neg:
		return "-" + body
	case sp.sign == '+':
		return "+" + body
	case sp.sign == ' ':
		return " " + body
	}
	return body
}

// zeroPad applies the 0 flag: zeros between sign and digits.
func finishNumber(neg bool, prefix, body string, sp spec) string {
	if sp.zero && sp.align == 0 {
		sp.fill, sp.align = '0', '='
	}
	s := signed(neg, prefix+body, sp)
	if sp.align == '=' {
		sign := ""
		if neg || sp.sign == '+' || sp.sign == ' ' {
			sign, s = s[:1], s[1:]
		}
		n := utf8.RuneCountInString(sign + s)
		if n < sp.width {
			fill := strings.Repeat(string(sp.fill), sp.width-n)
			if sp.fill == '0' && sp.grouping != 0 && prefix == "" {
				// CPython groups the zero padding too.
				digits := strings.ReplaceAll(body, string(sp.grouping), "")
				intPart, frac := digits, ""
				if k := strings.IndexAny(digits, ".eE%"); k >= 0 {
					intPart, frac = digits[:k], digits[k:]
				}
				for utf8.RuneCountInString(sign+group(intPart, sp.grouping, 3)+frac) < sp.width {
					intPart = "0" + intPart
				}
				return sign + group(intPart, sp.grouping, 3) + frac
			}
			return sign + prefix + fill + strings.TrimPrefix(s, prefix)
		}
		return sign + s
	}
	return pad(s, sp, '>')
}

func formatInt(n *big.Int, sp spec) (string, error) {
	neg := n.Sign() < 0
	abs := new(big.Int).Abs(n)
	var body, prefix string
	switch sp.typ {
	case 0, 'd', 'n':
		body = group(abs.String(), sp.grouping, 3)
	case 'x':
		body, prefix = abs.Text(16), "0x"
	case 'X':
		body, prefix = strings.ToUpper(abs.Text(16)), "0X"
	case 'o':
		body, prefix = abs.Text(8), "0o"
	case 'b':
		body, prefix = abs.Text(2), "0b"
	case 'c':
		return pad(string(rune(n.Int64())), sp, '<'), nil
	case 's':
		return "", py.ExceptionNewf(py.ValueError, "Unknown format code 's' for object of type 'int'")
	default:
		return "", py.ExceptionNewf(py.ValueError, "Unknown format code '%c' for object of type 'int'", sp.typ)
	}
	if sp.typ != 0 && sp.typ != 'd' && sp.typ != 'n' && sp.grouping == '_' {
		body = group(body, '_', 4)
	}
	if !sp.alt {
		prefix = ""
	}
	return finishNumber(neg, prefix, body, sp), nil
}

func formatFloat(f float64, sp spec) (string, error) {
	neg := math.Signbit(f) && !math.IsNaN(f)
	a := math.Abs(f)
	prec := sp.precision
	var body string
	switch sp.typ {
	case 'f', 'F', '%':
		if prec < 0 {
			prec = 6
		}
		if sp.typ == '%' {
			a *= 100
		}
		body = strconv.FormatFloat(a, 'f', prec, 64)
		if sp.typ == '%' {
			body += "%"
		}
	case 'e', 'E':
		if prec < 0 {
			prec = 6
		}
		body = strconv.FormatFloat(a, 'e', prec, 64)
	case 'g', 'G':
		if prec < 0 {
			prec = 6
		}
		if prec == 0 {
			prec = 1
		}
		body = strconv.FormatFloat(a, 'g', prec, 64)
		if sp.alt && !strings.Contains(body, ".") {
			body += "."
		}
	case 0:
		if prec < 0 {
			body = floatRepr(a)
		} else {
			body = strconv.FormatFloat(a, 'g', max(prec, 1), 64)
			if !strings.ContainsAny(body, ".e") {
				// CPython's general format without type keeps a ".0" only
				// when no precision is given; with one it matches 'g'.
			}
		}
	case 'n':
		body = strconv.FormatFloat(a, 'g', max(prec, 6), 64)
	default:
		return "", py.ExceptionNewf(py.ValueError, "Unknown format code '%c' for object of type 'float'", sp.typ)
	}
	if math.IsInf(a, 0) {
		body = "inf"
	} else if math.IsNaN(a) {
		body = "nan"
	}
	if sp.typ == 'E' || sp.typ == 'G' || sp.typ == 'F' {
		body = strings.ToUpper(body)
	}
	if sp.grouping != 0 && !math.IsInf(a, 0) && !math.IsNaN(a) {
		intPart, frac := body, ""
		if k := strings.IndexAny(body, ".eE%"); k >= 0 {
			intPart, frac = body[:k], body[k:]
		}
		body = group(intPart, sp.grouping, 3) + frac
	}
	return finishNumber(neg, "", body, sp), nil
}

// percentFormat implements str % args as CPython does (gpython passes the
// string to Go's fmt.Sprintf, so "%s" % None prints "{}").
func percentFormat(f string, args py.Object) (string, error) { return percentOrdered(f, args, nil) }

// percentOrdered is percentFormat with dicts in their recorded key order.
func percentOrdered(f string, args py.Object, order keyOrder) (string, error) {
	var values py.Tuple
	mapping, isMap := args.(py.StringDict)
	if isMap && !strings.Contains(f, "%(") {
		isMap = false // "%s" % {"a": 1} formats the dict itself
	}
	if t, ok := args.(py.Tuple); ok {
		values = t
	} else if !isMap {
		values = py.Tuple{args}
	}
	next := 0
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return "", py.ExceptionNewf(py.ValueError, "incomplete format")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		var arg py.Object
		if f[i] == '(' {
			k := strings.IndexByte(f[i:], ')')
			if k < 0 {
				return "", py.ExceptionNewf(py.ValueError, "incomplete format key")
			}
			key := f[i+1 : i+k]
			i += k + 1
			if !isMap {
				return "", py.ExceptionNewf(py.TypeError, "format requires a mapping")
			}
			v, ok := mapping[key]
			if !ok {
				return "", py.ExceptionNewf(py.KeyError, "'%s'", key)
			}
			arg = v
		}
		// flags
		sp := spec{fill: ' ', precision: -1}
		left := false
		for ; i < len(f); i++ {
			switch f[i] {
			case '-':
				left = true
			case '+':
				sp.sign = '+'
			case ' ':
				if sp.sign == 0 {
					sp.sign = ' '
				}
			case '#':
				sp.alt = true
			case '0':
				sp.zero = true
			default:
				goto width
			}
		}
	width:
		takeNum := func() (int, error) {
			if i < len(f) && f[i] == '*' {
				i++
				if next >= len(values) {
					return 0, py.ExceptionNewf(py.TypeError, "not enough arguments for format string")
				}
				n, err := intArg("%", values[next])
				next++
				return n, err
			}
			start := i
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
			if i == start {
				return -1, nil
			}
			return strconv.Atoi(f[start:i])
		}
		w, err := takeNum()
		if err != nil {
			return "", err
		}
		if w > 0 {
			sp.width = w
		}
		if i < len(f) && f[i] == '.' {
			i++
			p, err := takeNum()
			if err != nil {
				return "", err
			}
			if p < 0 {
				p = 0
			}
			sp.precision = p
		}
		for i < len(f) && (f[i] == 'l' || f[i] == 'h' || f[i] == 'L') {
			i++
		}
		if i >= len(f) {
			return "", py.ExceptionNewf(py.ValueError, "incomplete format")
		}
		conv := f[i]
		if arg == nil {
			if next >= len(values) {
				return "", py.ExceptionNewf(py.TypeError, "not enough arguments for format string")
			}
			arg = values[next]
			next++
		}
		if left {
			sp.align = '<'
			sp.zero = false
		} else {
			sp.align = '>'
		}
		var out string
		switch conv {
		case 's', 'r', 'a':
			var s string
			if conv == 's' {
				s, err = strOrdered(arg, order)
			} else {
				s, err = reprOrdered(arg, order)
			}
			if err != nil {
				return "", err
			}
			if sp.precision >= 0 && utf8.RuneCountInString(s) > sp.precision {
				s = string([]rune(s)[:sp.precision])
			}
			out = pad(s, sp, '>')
		case 'd', 'i', 'u', 'x', 'X', 'o':
			n, err := toBigInt(arg, conv)
			if err != nil {
				return "", err
			}
			sp.typ = conv
			if conv == 'i' || conv == 'u' {
				sp.typ = 'd'
			}
			if sp.zero && !left {
				sp.align = 0
			}
			out, err = formatInt(n, sp)
			if err != nil {
				return "", err
			}
		case 'e', 'E', 'f', 'F', 'g', 'G':
			fv, err := toFloat(arg)
			if err != nil {
				return "", err
			}
			sp.typ = conv
			if sp.zero && !left {
				sp.align = 0
			}
			out, err = formatFloat(fv, sp)
			if err != nil {
				return "", err
			}
		case 'c':
			switch x := arg.(type) {
			case py.String:
				out = pad(string(x), sp, '>')
			default:
				n, err := intArg("%c", arg)
				if err != nil {
					return "", err
				}
				out = pad(string(rune(n)), sp, '>')
			}
		default:
			return "", py.ExceptionNewf(py.ValueError, "unsupported format character '%c' (0x%x) at index %d", conv, conv, i)
		}
		b.WriteString(out)
	}
	if !isMap && next < len(values) {
		return "", py.ExceptionNewf(py.TypeError, "not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func toBigInt(o py.Object, conv byte) (*big.Int, error) {
	switch x := o.(type) {
	case py.Int:
		return big.NewInt(int64(x)), nil
	case py.Bool:
		return big.NewInt(int64(boolAsInt(x).(py.Int))), nil
	case *py.BigInt:
		return (*big.Int)(x), nil
	case py.Float:
		if conv == 'x' || conv == 'X' || conv == 'o' {
			break
		}
		bf := big.NewFloat(math.Trunc(float64(x)))
		n, _ := bf.Int(nil)
		return n, nil
	}
	return nil, py.ExceptionNewf(py.TypeError, "%%%c format: a real number is required, not %s", conv, o.Type().Name)
}

func toFloat(o py.Object) (float64, error) {
	switch x := o.(type) {
	case py.Float:
		return float64(x), nil
	case py.Int:
		return float64(x), nil
	case py.Bool:
		return float64(boolAsInt(x).(py.Int)), nil
	case *py.BigInt:
		f, _ := new(big.Float).SetInt((*big.Int)(x)).Float64()
		return f, nil
	}
	return 0, py.ExceptionNewf(py.TypeError, "must be real number, not %s", o.Type().Name)
}
