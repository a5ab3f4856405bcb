package pyrt

import (
	"sort"
	"strings"

	"github.com/go-python/gpython/py"
)

// Rewrite turns Python syntax newer than gpython's compiler (Python 3.4)
// into equivalent 3.4 code, keeping every statement on its line so that
// errors point at the user's own lines (only the := rewrite adds lines,
// and compileSource maps them back):
//
//   - f-strings become calls of __fmt__, str.format with dicts in their
//     key order: f"{a!r:>{w}} {b=}" is __fmt__("{!r:>{}} b={!r}", (a), (w), (b));
//
//   - the % operator becomes __pct__(left, right), because gpython hands
//     "%s" % x to Go's fmt.Sprintf ("%s" % None prints "{}");
//
//   - a binary + becomes __plus__(a, b) and name += x becomes
//     name = __iplus__(name, (x)), because gpython fails on True + True
//     and loses items concatenating tuples of different lengths (left
//     alone where one side makes gpython's + right: see addChain);
//
//   - a subscript X[K] that reads, K in X, del X[K] and X[K] op= V
//     go through __getix__, __in__, __delix__ and __setitem__ when K is
//     not a str literal, so that dicts take keys of any hashable type
//     (see keys.go);
//
//   - {**a, "k": v} becomes __merge__(a, {"k": v});
//
//   - {k: v, ...} becomes __dict__(k, v, ...) and the statement
//     d[k] = v becomes __setitem__(d, k, v): both record the order in
//     which keys arrive, so that a returned dict keeps CPython's key order
//     (gpython's dicts are Go maps, without order);
//
//   - the iterable of every for (loop or comprehension) is wrapped in
//     __it__(...), which walks a dict in sorted key order: gpython's
//     dicts are Go maps, whose order changes from one loop to the next.
//
//   - number literals lose their underscores (1_000 is 1000);
//
//   - variable annotations (Python 3.6) go: x: int = 5 is x = 5, and
//     a bare x: int is pass;
//
//   - a list display with starred items, [a, *b, *c], becomes
//     ([a] + list(b) + list(c)) (Python 3.5 syntax);
//
//   - the walrus operator (:=) where it comes first in an if, elif or
//     while condition, a statement or a comprehension part becomes an
//     assignment of its own (see rewriteWalrus); that may add lines.
func Rewrite(src string) (string, *Error) {
	out, _, err := rewriteMapped(src)
	return out, err
}

// rewriteMapped is Rewrite that also returns, when the rewrite added
// lines, the line of src for each line of the result (index line-1).
func rewriteMapped(src string) (string, []int, *Error) {
	out, err := rewriteFStrings(src)
	if err != nil {
		return "", nil, err
	}
	out, lines, err := rewriteWalrus(out)
	if err != nil {
		return "", nil, err
	}
	out = rewriteNumbers(out)
	out = rewriteAnnotations(out)
	out = rewriteStarLists(out)
	out = rewriteFor(out)
	out = rewriteSetItems(out)
	out = rewriteListCalls(out)
	for pass := 0; pass < 32; pass++ {
		next, changed := rewriteOps(out)
		out = next
		if !changed {
			break
		}
	}
	return out, lines, nil
}

type tokKind int

const (
	tkName tokKind = iota
	tkNumber
	tkString
	tkOp
	tkNewline // logical line end (outside brackets)
)

type token struct {
	kind       tokKind
	start, end int // byte offsets in the source
	text       string
}

// tokenize splits Python source into tokens, skipping comments, blank
// space and line continuations. It is lenient: anything it does not
// understand becomes a one-byte operator, and the compiler reports it.
func tokenize(src string) []token {
	var toks []token
	depth := 0
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
		case c == '\n':
			if depth == 0 {
				toks = append(toks, token{kind: tkNewline, start: i, end: i + 1, text: "\n"})
			}
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			if j < len(src) && (src[j] == '\'' || src[j] == '"') && isStringPrefix(src[i:j]) {
				end := scanString(src, j)
				toks = append(toks, token{kind: tkString, start: i, end: end, text: src[i:end]})
				i = end
				continue
			}
			toks = append(toks, token{kind: tkName, start: i, end: j, text: src[i:j]})
			i = j
		case c == '\'' || c == '"':
			end := scanString(src, i)
			toks = append(toks, token{kind: tkString, start: i, end: end, text: src[i:end]})
			i = end
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9'):
			j := i
			for j < len(src) && (isIdentPart(src[j]) || src[j] == '.' ||
				((src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E') && !strings.HasPrefix(strings.ToLower(src[i:j]), "0x"))) {
				j++
			}
			toks = append(toks, token{kind: tkNumber, start: i, end: j, text: src[i:j]})
			i = j
		default:
			n := 1
			for _, op := range []string{"**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="} {
				if strings.HasPrefix(src[i:], op) {
					n = len(op)
					break
				}
			}
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			toks = append(toks, token{kind: tkOp, start: i, end: i + n, text: src[i : i+n]})
			i += n
		}
	}
	return toks
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isStringPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// scanString returns the end of the string literal whose quote is at i.
func scanString(src string, i int) int {
	q := src[i]
	triple := strings.HasPrefix(src[i:], strings.Repeat(string(q), 3))
	j := i + 1
	if triple {
		j = i + 3
	}
	for j < len(src) {
		switch src[j] {
		case '\\':
			j += 2
			continue
		case '\n':
			if !triple {
				return j // unterminated: let the compiler complain
			}
		case q:
			if !triple {
				return j + 1
			}
			if strings.HasPrefix(src[j:], strings.Repeat(string(q), 3)) {
				return j + 3
			}
		}
		j++
	}
	return len(src)
}

// stringParts splits a literal into prefix, quote and body.
func stringParts(lit string) (prefix, quote, body string) {
	k := strings.IndexAny(lit, `'"`)
	prefix, rest := lit[:k], lit[k:]
	q := rest[:1]
	if strings.HasPrefix(rest, strings.Repeat(q, 3)) {
		q = strings.Repeat(q, 3)
	}
	body = strings.TrimPrefix(rest, q)
	body = strings.TrimSuffix(body, q)
	return prefix, q, body
}

func isFString(t token) bool {
	if t.kind != tkString {
		return false
	}
	p, _, _ := stringParts(t.text)
	return strings.ContainsAny(p, "fF")
}

// rewriteFStrings replaces every group of adjacent string literals that
// holds an f-string by one __fmt__ call.
func rewriteFStrings(src string) (string, *Error) {
	toks := tokenize(src)
	var b strings.Builder
	last := 0
	for i := 0; i < len(toks); i++ {
		if toks[i].kind != tkString {
			continue
		}
		j := i
		for j+1 < len(toks) && toks[j+1].kind == tkString {
			j++
		}
		hasF := false
		for k := i; k <= j; k++ {
			if isFString(toks[k]) {
				hasF = true
			}
		}
		if !hasF {
			i = j
			continue
		}
		b.WriteString(src[last:toks[i].start])
		b.WriteString("__fmt__(")
		var args []string
		for k := i; k <= j; k++ {
			if k > i {
				b.WriteString(src[toks[k-1].end:toks[k].start])
			}
			prefix, quote, body := stringParts(toks[k].text)
			if !isFString(toks[k]) {
				b.WriteString(prefix + quote + strings.NewReplacer("{", "{{", "}", "}}").Replace(body) + quote)
				continue
			}
			fmtBody, fargs, err := convertFString(body)
			if err != nil {
				err.Line = strings.Count(src[:toks[k].start], "\n") + 1
				err.SourceLine = sourceLine(strings.Split(src, "\n"), err.Line)
				return "", err
			}
			args = append(args, fargs...)
			b.WriteString(strings.NewReplacer("f", "", "F", "").Replace(prefix) + quote + fmtBody + quote)
		}
		for _, a := range args {
			b.WriteString(", (" + a + ")")
		}
		b.WriteString(")")
		last = toks[j].end
		i = j
	}
	b.WriteString(src[last:])
	return b.String(), nil
}

// convertFString turns the body of an f-string into a str.format body and
// the expressions of its fields, in the order str.format numbers them.
func convertFString(body string) (string, []string, *Error) {
	var b strings.Builder
	var args []string
	i := 0
	for i < len(body) {
		c := body[i]
		switch {
		case c == '{' && i+1 < len(body) && body[i+1] == '{':
			b.WriteString("{{")
			i += 2
		case c == '}' && i+1 < len(body) && body[i+1] == '}':
			b.WriteString("}}")
			i += 2
		case c == '}':
			return "", nil, &Error{Kind: KindSyntax, Type: "SyntaxError", Message: "f-string: single '}' is not allowed"}
		case c == '{':
			field, fargs, n, err := convertField(body[i+1:], 0)
			if err != nil {
				return "", nil, err
			}
			b.WriteString(field)
			args = append(args, fargs...)
			i += 1 + n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), args, nil
}

// convertField converts one replacement field; s starts after its "{".
// It returns the field text (with braces), its expressions and how many
// bytes of s it used (through the closing "}").
func convertField(s string, nesting int) (string, []string, int, *Error) {
	fail := func(msg string) (string, []string, int, *Error) {
		return "", nil, 0, &Error{Kind: KindSyntax, Type: "SyntaxError", Message: "f-string: " + msg}
	}
	if nesting > 1 {
		return fail("expressions nested too deeply")
	}
	// The expression runs to a top-level '!', ':', '=' (self-documenting)
	// or '}'.
	depth := 0
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\'' || c == '"' {
			i = scanString(s, i) - 1
			continue
		}
		if c == '(' || c == '[' || c == '{' {
			depth++
			continue
		}
		if depth > 0 {
			if c == ')' || c == ']' || c == '}' {
				depth--
			}
			continue
		}
		if c == '}' || c == ':' {
			break
		}
		if c == '!' && !(i+1 < len(s) && s[i+1] == '=') {
			break
		}
		if c == '=' && !(i+1 < len(s) && s[i+1] == '=') && i > 0 && !strings.ContainsRune("=!<>", rune(s[i-1])) {
			break
		}
		if c == '=' && i+1 < len(s) && s[i+1] == '=' {
			i++
		}
	}
	if i >= len(s) {
		return fail("expecting '}'")
	}
	expr := s[:i]
	if strings.TrimSpace(expr) == "" {
		return fail("empty expression not allowed")
	}
	var field strings.Builder
	field.WriteByte('{')
	selfDoc := ""
	if s[i] == '=' {
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		selfDoc = s[:i]
	}
	conv := ""
	if i < len(s) && s[i] == '!' {
		if i+1 >= len(s) {
			return fail("expecting '}'")
		}
		conv = s[i : i+2]
		i += 2
	}
	args := []string{expr} // verbatim: a newline in it keeps the lines in place
	if selfDoc != "" && conv == "" && !(i < len(s) && s[i] == ':') {
		conv = "!r"
	}
	field.WriteString(conv)
	if i < len(s) && s[i] == ':' {
		field.WriteByte(':')
		i++
		for i < len(s) && s[i] != '}' {
			if s[i] == '{' {
				sub, subArgs, n, err := convertField(s[i+1:], nesting+1)
				if err != nil {
					return "", nil, 0, err
				}
				field.WriteString(sub)
				args = append(args, subArgs...)
				i += 1 + n
				continue
			}
			field.WriteByte(s[i])
			i++
		}
	}
	if i >= len(s) || s[i] != '}' {
		return fail("expecting '}'")
	}
	field.WriteByte('}')
	text := field.String()
	if selfDoc != "" {
		text = strings.NewReplacer("{", "{{", "}", "}}").Replace(selfDoc) + text
	}
	return text, args, i + 1, nil
}

// Keywords that end an operand scan.
var pyKeywords = map[string]bool{
	"and": true, "as": true, "assert": true, "async": true, "await": true, "break": true, "class": true,
	"continue": true, "def": true, "del": true, "elif": true, "else": true, "except": true, "finally": true,
	"for": true, "from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true, "return": true,
	"try": true, "while": true, "with": true, "yield": true,
}

func isOpen(t token) bool { return t.kind == tkOp && (t.text == "(" || t.text == "[" || t.text == "{") }
func isClose(t token) bool {
	return t.kind == tkOp && (t.text == ")" || t.text == "]" || t.text == "}")
}

func matchForward(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		if isOpen(toks[j]) {
			depth++
		} else if isClose(toks[j]) {
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func matchBackward(toks []token, i int) int {
	depth := 0
	for j := i; j >= 0; j-- {
		if isClose(toks[j]) {
			depth++
		} else if isOpen(toks[j]) {
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func isAtomEnd(t token) bool {
	switch t.kind {
	case tkName:
		return !pyKeywords[t.text]
	case tkNumber, tkString:
		return true
	}
	return isClose(t)
}

// operandStart returns the index of the first token of the primary
// (atom and trailers) that ends at token k, or -1.
func operandStart(toks []token, k int) int {
	if k < 0 || !isAtomEnd(toks[k]) {
		return -1
	}
	i := k
	for {
		t := toks[i]
		switch {
		case isClose(t):
			o := matchBackward(toks, i)
			if o < 0 {
				return -1
			}
			if o > 0 && toks[o].text != "{" && isAtomEnd(toks[o-1]) {
				i = o - 1 // call or subscript trailer
				continue
			}
			i = o
		case t.kind == tkString:
			for i > 0 && toks[i-1].kind == tkString {
				i--
			}
		}
		if i >= 2 && toks[i-1].kind == tkOp && toks[i-1].text == "." && isAtomEnd(toks[i-2]) {
			i -= 2
			continue
		}
		return i
	}
}

// operandEnd returns the index of the last token of the unary/power
// expression that starts at token k, or -1.
func operandEnd(toks []token, k int) int {
	i := k
	for i < len(toks) && toks[i].kind == tkOp && (toks[i].text == "-" || toks[i].text == "+" || toks[i].text == "~") {
		i++
	}
	if i >= len(toks) {
		return -1
	}
	t := toks[i]
	switch {
	case isOpen(t):
		i = matchForward(toks, i)
		if i < 0 {
			return -1
		}
	case t.kind == tkString:
		for i+1 < len(toks) && toks[i+1].kind == tkString {
			i++
		}
	case t.kind == tkNumber, t.kind == tkName && !pyKeywords[t.text]:
	default:
		return -1
	}
	for i+1 < len(toks) {
		n := toks[i+1]
		if n.kind == tkOp && n.text == "." && i+2 < len(toks) && toks[i+2].kind == tkName {
			i += 2
			continue
		}
		if n.kind == tkOp && (n.text == "(" || n.text == "[") {
			m := matchForward(toks, i+1)
			if m < 0 {
				return -1
			}
			i = m
			continue
		}
		if n.kind == tkOp && n.text == "**" {
			e := operandEnd(toks, i+2)
			if e < 0 {
				return -1
			}
			i = e
			continue
		}
		break
	}
	return i
}

type edit struct {
	start, end int
	text       string
}

// rewriteOps does one pass of the % and {**} rewrites over
// non-overlapping places and reports whether it changed anything.
func rewriteOps(src string) (string, bool) {
	toks := tokenize(src)
	var edits []edit
	taken := func(a, b int) bool {
		for _, e := range edits {
			if a < e.end && e.start < b {
				return true
			}
		}
		return false
	}
	target := assignTargets(toks)
	for k, t := range toks {
		if t.kind == tkOp && t.text == "[" {
			if e, ok := subscriptLoad(src, toks, k, target); ok && !taken(e.start, e.end) {
				edits = append(edits, e)
			}
		}
		if t.kind == tkName && t.text == "in" {
			if e, ok := inTest(src, toks, k); ok && !taken(e.start, e.end) {
				edits = append(edits, e)
			}
		}
		if arithStart(toks, k) {
			if e, ok := addChain(src, toks, k); ok && !taken(e.start, e.end) {
				edits = append(edits, e)
			}
		}
		if termStart(toks, k) {
			if e, ok := mulChain(src, toks, k); ok && !taken(e.start, e.end) {
				edits = append(edits, e)
			}
		}
		if t.kind == tkOp && t.text == "**" {
			if e, ok := powerOp(src, toks, k); ok && !taken(e.start, e.end) {
				edits = append(edits, e)
			}
		}
		if e, ok := unaryOp(src, toks, k); ok && !taken(e.start, e.end) {
			edits = append(edits, e)
		}
		if e, ok := starArg(src, toks, k); ok && !taken(e.start, e.end) {
			edits = append(edits, e)
		}
		if t.kind == tkOp && t.text == "%" {
			ls := operandStart(toks, k-1)
			if ls < 0 {
				continue
			}
			// A higher-or-equal precedence operator on the left would
			// bind first: leave those to gpython.
			if ls > 0 {
				p := toks[ls-1]
				if p.kind == tkOp && strings.Contains(" * / // @ ** . ~ ", " "+p.text+" ") {
					continue
				}
				if p.kind == tkOp && (p.text == "-" || p.text == "+") && (ls < 2 || !isAtomEnd(toks[ls-2])) {
					continue // unary minus: -a % b is (-a) % b
				}
				if p.kind == tkName && p.text == "await" {
					continue
				}
			}
			re := operandEnd(toks, k+1)
			if re < 0 {
				continue
			}
			a, b := toks[ls].start, toks[re].end
			if taken(a, b) {
				continue
			}
			edits = append(edits, edit{a, b, "__pct__(" + src[a:t.start] + "," + src[t.end:b] + ")"})
		}
		// (a, b) < (c, d): gpython cannot order tuples and lists, so a
		// comparison with a tuple or list display on one side (and plain
		// operands, not part of a chain or of arithmetic) goes through
		// __cmp__.
		if t.kind == tkOp && (t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">=") {
			ls, re := operandStart(toks, k-1), operandEnd(toks, k+1)
			if ls >= 0 && re >= 0 && (isSeqDisplay(toks, ls, k-1) || isSeqDisplay(toks, k+1, re)) &&
				cmpBoundary(toks, ls-1, true) && cmpBoundary(toks, re+1, false) {
				a, b := toks[ls].start, toks[re].end
				if !taken(a, b) {
					edits = append(edits, edit{a, b, "__cmp__(\"" + t.text + "\", " + src[a:t.start] + "," + src[t.end:b] + ")"})
				}
			}
		}
		// X.items() / .keys() / .values() -> __items__(X) etc.: dict
		// views in the order the keys arrived.
		if t.kind == tkName && (t.text == "items" || t.text == "keys" || t.text == "values") && k >= 2 && k+2 < len(toks) &&
			toks[k-1].kind == tkOp && toks[k-1].text == "." && toks[k+1].text == "(" && toks[k+2].text == ")" {
			if os := operandStart(toks, k-2); os >= 0 {
				a, b := toks[os].start, toks[k+2].end
				if !taken(a, b) {
					edits = append(edits, edit{a, b, "__" + t.text + "__(" + src[a:toks[k-1].start] + ")"})
				}
			}
		}
		// X.update(...) / X.setdefault(...) -> __update__(X, ...): new
		// keys take their place in the order.
		// X.join(...) -> __join__(X, ...): a dict gives its keys in
		// order.
		if t.kind == tkName && (t.text == "update" || t.text == "setdefault" || t.text == "join") && k >= 2 && k+1 < len(toks) &&
			toks[k-1].kind == tkOp && toks[k-1].text == "." && toks[k+1].text == "(" {
			if os := operandStart(toks, k-2); os >= 0 {
				a, b := toks[os].start, toks[k+1].end
				if !taken(a, b) {
					sep := ", "
					if k+2 < len(toks) && toks[k+2].text == ")" {
						sep = ""
					}
					edits = append(edits, edit{a, b, "__" + t.text + "__(" + src[a:toks[k-1].start] + sep})
				}
			}
		}
		// str.lower (the method taken from the type, as in
		// sorted(names, key=str.lower)) -> __strmethod__("lower"):
		// gpython's methods cannot be called unbound.
		if t.kind == tkName && t.text == "str" && k+2 < len(toks) && toks[k+1].text == "." && toks[k+2].kind == tkName &&
			unboundStrMethod(toks[k+2].text) && (k == 0 || toks[k-1].text != ".") && !strShadowed(toks) && !taken(t.start, toks[k+2].end) {
			edits = append(edits, edit{t.start, toks[k+2].end, "__strmethod__(\"" + toks[k+2].text + "\")"})
		}
		// dict.fromkeys -> __fromkeys__, which records the key order.
		if t.kind == tkName && t.text == "dict" && k+3 < len(toks) && toks[k+1].text == "." && toks[k+2].text == "fromkeys" &&
			toks[k+3].text == "(" && (k == 0 || toks[k-1].text != ".") && !taken(t.start, toks[k+2].end) {
			edits = append(edits, edit{t.start, toks[k+2].end, "__fromkeys__"})
		}
		if t.kind == tkOp && t.text == "{" {
			m := matchForward(toks, k)
			if m < 0 {
				continue
			}
			// Top-level items of the display.
			var items [][2]int
			depth, from := 0, k+1
			for j := k + 1; j < m; j++ {
				if isOpen(toks[j]) {
					depth++
				} else if isClose(toks[j]) {
					depth--
				} else if depth == 0 && toks[j].kind == tkOp && toks[j].text == "," {
					items = append(items, [2]int{from, j - 1})
					from = j + 1
				}
			}
			if from <= m-1 {
				items = append(items, [2]int{from, m - 1})
			}
			star, empty := false, false
			for _, it := range items {
				if it[0] > it[1] || (toks[it[0]].text == "**" && it[0] == it[1]) {
					empty = true // let the compiler report it
					break
				}
				if toks[it[0]].kind == tkOp && toks[it[0]].text == "**" {
					star = true
				}
			}
			if empty {
				continue
			}
			if !star {
				// A plain display {k: v, ...} of two items or more becomes
				// __dict__(k, v, ...), which records the key order, and a
				// comprehension {k: v for ...} becomes
				// __dict_pairs__([(k, v) for ...]).
				if !taken(t.start, toks[m].end) {
					if e, ok := dictComprehension(src, toks, k, m); ok {
						edits = append(edits, e)
					} else if len(items) >= 2 || (len(items) == 1 && toks[items[0][0]].kind != tkString) {
						if e, ok := dictDisplay(src, toks, k, m, items); ok {
							edits = append(edits, e)
						} else if e, ok := setDisplay(src, toks, k, m, items); ok {
							edits = append(edits, e)
						}
					}
				}
				continue
			}
			if taken(t.start, toks[m].end) {
				continue
			}
			var b strings.Builder
			b.WriteString("__merge__(")
			pos := t.end
			for n, it := range items {
				if n > 0 {
					b.WriteString(src[pos:toks[it[0]].start])
				} else {
					b.WriteString(src[pos:toks[it[0]].start])
				}
				s, e := toks[it[0]].start, toks[it[1]].end
				if toks[it[0]].text == "**" {
					b.WriteString(src[toks[it[0]].end:e])
				} else {
					b.WriteString("{" + src[s:e] + "}")
				}
				pos = e
			}
			b.WriteString(src[pos:toks[m].start])
			b.WriteString(")")
			edits = append(edits, edit{t.start, toks[m].end, b.String()})
		}
	}
	if len(edits) == 0 {
		return src, false
	}
	// Edits were found left to right and do not overlap; sort by start.
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && edits[j].start < edits[j-1].start; j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(src[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.WriteString(src[last:])
	return b.String(), true
}

// rewriteFor wraps the iterable of each for in __it__((...)).
func rewriteFor(src string) string {
	toks := tokenize(src)
	depthAt := make([]int, len(toks))
	depth := 0
	for i, t := range toks {
		if isClose(t) {
			depth--
		}
		depthAt[i] = depth
		if isOpen(t) {
			depth++
		}
	}
	var edits []edit
	for k, t := range toks {
		if t.kind != tkName || t.text != "for" {
			continue
		}
		d := depthAt[k]
		// The "in" of this for, at the same depth.
		in := -1
		for j := k + 1; j < len(toks); j++ {
			if depthAt[j] < d || toks[j].kind == tkNewline {
				break
			}
			if depthAt[j] == d && toks[j].kind == tkName && toks[j].text == "in" {
				in = j
				break
			}
		}
		if in < 0 || in+1 >= len(toks) {
			continue
		}
		end := -1
		for j := in + 1; j < len(toks); j++ {
			tj := toks[j]
			if depthAt[j] < d || tj.kind == tkNewline {
				end = j - 1
				break
			}
			if depthAt[j] > d || isOpen(tj) || isClose(tj) {
				continue // inside, opening or closing a nested group
			}
			if d == 0 && tj.kind == tkOp && tj.text == ":" {
				end = j - 1
				break
			}
			if d > 0 && tj.kind == tkName && (tj.text == "for" || tj.text == "if" || tj.text == "async") {
				end = j - 1
				break
			}
		}
		if end < in+1 {
			continue
		}
		a, b := toks[in+1].start, toks[end].end
		edits = append(edits, edit{a, a, "__it__(("}, edit{b, b, "))"})
	}
	return applyEdits(src, edits)
}

// applyEdits returns src with the edits (which do not overlap) made.
func applyEdits(src string, edits []edit) string {
	if len(edits) == 0 {
		return src
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out strings.Builder
	last := 0
	for _, e := range edits {
		out.WriteString(src[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.WriteString(src[last:])
	return out.String()
}

// dictDisplay rewrites {k1: v1, k2: v2} (no comprehension, no **) to
// __dict__(k1, v1, k2, v2).
func dictDisplay(src string, toks []token, open, close int, items [][2]int) (edit, bool) {
	depthAt := 0
	colons := make([]int, len(items))
	for n, it := range items {
		colons[n] = -1
		depthAt = 0
		for j := it[0]; j <= it[1]; j++ {
			tj := toks[j]
			if isOpen(tj) {
				depthAt++
			} else if isClose(tj) {
				depthAt--
			} else if depthAt == 0 {
				if tj.kind == tkName && (tj.text == "for" || tj.text == "lambda") && colons[n] < 0 {
					return edit{}, false // a comprehension, or a lambda key
				}
				if tj.kind == tkOp && tj.text == ":" && colons[n] < 0 {
					colons[n] = j
				}
			}
		}
		if colons[n] <= it[0] || colons[n] >= it[1] {
			return edit{}, false // a set, or something the compiler should report
		}
	}
	var b strings.Builder
	b.WriteString("__dict__(")
	pos := toks[open].end
	for n, it := range items {
		b.WriteString(src[pos:toks[it[0]].start])
		c := toks[colons[n]]
		b.WriteString(src[toks[it[0]].start:c.start])
		b.WriteString(",")
		b.WriteString(src[c.end:toks[it[1]].end])
		pos = toks[it[1]].end
	}
	b.WriteString(src[pos:toks[close].start])
	b.WriteString(")")
	return edit{toks[open].start, toks[close].end, b.String()}, true
}

// setDisplay rewrites the set display {a, b} to __set__(a, b) and the
// set comprehension {x for ...} to __setc__([x for ...]), which can hold
// tuples (see sets.go). A display of str literals only, or of int
// literals only, stays gpython's (it is right, and faster).
func setDisplay(src string, toks []token, open, close int, items [][2]int) (edit, bool) {
	allStr, allInt := true, true
	for _, it := range items {
		depth := 0
		for j := it[0]; j <= it[1]; j++ {
			tj := toks[j]
			if isOpen(tj) {
				depth++
			} else if isClose(tj) {
				depth--
			} else if depth == 0 && (tj.kind == tkOp && tj.text == ":" || tj.kind == tkName && tj.text == "lambda") {
				return edit{}, false // a dict, or something the compiler should report
			}
			if tj.kind != tkString {
				allStr = false
			}
		}
		t := toks[it[0]]
		if it[0] != it[1] || t.kind != tkNumber || strings.ContainsAny(t.text, ".eEjJ") && !strings.HasPrefix(strings.ToLower(t.text), "0x") {
			allInt = false
		}
	}
	if allStr || allInt {
		return edit{}, false
	}
	inner := src[toks[open].end:toks[close].start]
	if len(items) == 1 {
		depth := 0
		for j := items[0][0]; j <= items[0][1]; j++ {
			tj := toks[j]
			if isOpen(tj) {
				depth++
			} else if isClose(tj) {
				depth--
			} else if depth == 0 && tj.kind == tkName && (tj.text == "for" || tj.text == "async") {
				return edit{toks[open].start, toks[close].end, "__setc__([" + inner + "])"}, true
			}
		}
	}
	return edit{toks[open].start, toks[close].end, "__set__(" + inner + ")"}, true
}

// rewriteSetItems turns the statement X[K] = V into __setitem__(X, K, V),
// which records where a new key goes in the dict's order. Only the plain
// form is rewritten: one target, no chained or augmented assignment.
func rewriteSetItems(src string) string {
	toks := tokenize(src)
	var edits []edit
	start := 0 // first token of the current statement
	depth := 0
	for k := 0; k <= len(toks); k++ {
		end := k == len(toks)
		if !end {
			t := toks[k]
			if isOpen(t) {
				depth++
			} else if isClose(t) {
				depth--
			}
			if !(t.kind == tkNewline || (depth == 0 && t.kind == tkOp && t.text == ";")) {
				// A one-line compound statement: "if x: d[k] = v".
				if depth == 0 && t.kind == tkOp && t.text == ":" && k > start && toks[start].kind == tkName &&
					strings.Contains(" if elif else for while try except finally with ", " "+toks[start].text+" ") {
					start = k + 1
				}
				continue
			}
		}
		if e, ok := setItemStatement(src, toks, start, k); ok {
			edits = append(edits, e)
		} else if e, ok := augAddStatement(src, toks, start, k); ok {
			edits = append(edits, e)
		} else if e, ok := keyStatement(src, toks, start, k); ok {
			edits = append(edits, e)
		} else if e, ok := unpackStatement(src, toks, start, k); ok {
			edits = append(edits, e)
		}
		start = k + 1
	}
	if len(edits) == 0 {
		return src
	}
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(src[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.WriteString(src[last:])
	return b.String()
}

// unpackStatement turns a, b = X (several targets, one value) into
// a, b = __it__((X)): unpacking a dict gives its keys in order, as
// objects (gpython's would give them in Go map order, encoded).
func unpackStatement(src string, toks []token, from, to int) (edit, bool) {
	if from >= to || toks[from].kind == tkName && pyKeywords[toks[from].text] {
		return edit{}, false
	}
	eq, commaBefore, commaAfter, ok := assignment(toks, from, to)
	if !ok || commaAfter || eq <= from || eq+1 >= to {
		return edit{}, false // several values, or no single assignment
	}
	if !commaBefore && !(isOpen(toks[from]) && toks[from].text != "{" && matchForward(toks, from) == eq-1) {
		return edit{}, false
	}
	if toks[eq+1].kind == tkName && toks[eq+1].text == "__it__" {
		return edit{}, false
	}
	a, b := toks[eq+1].start, toks[to-1].end
	return edit{a, b, "__it__((" + src[a:b] + "))"}, true
}

// assignment finds the one "=" at depth 0 of the statement toks[from:to]
// and whether commas stand before and after it at depth 0; ok is false
// for a chained assignment, one with lambda or yield, or none.
func assignment(toks []token, from, to int) (eq int, commaBefore, commaAfter, ok bool) {
	eq = -1
	depth := 0
	for j := from; j < to; j++ {
		t := toks[j]
		switch {
		case isOpen(t):
			depth++
		case isClose(t):
			depth--
		case depth != 0:
		case t.kind == tkOp && t.text == "=":
			if eq >= 0 {
				return -1, false, false, false // chained assignment
			}
			eq = j
		case t.kind == tkOp && t.text == ",":
			if eq < 0 {
				commaBefore = true
			} else {
				commaAfter = true
			}
		case t.kind == tkName && (t.text == "lambda" || t.text == "yield"):
			return -1, false, false, false
		}
	}
	return eq, commaBefore, commaAfter, eq >= 0
}

// starArg wraps the argument X of f(..., *X) in __it__((X)), for the
// same reason as unpackStatement.
func starArg(src string, toks []token, k int) (edit, bool) {
	if t := toks[k]; t.kind != tkOp || t.text != "*" || k < 2 || (toks[k-1].text != "(" && toks[k-1].text != ",") {
		return edit{}, false
	}
	open, depth := -1, 0
	for j := k - 1; j >= 0; j-- {
		t := toks[j]
		if isClose(t) {
			depth++
		} else if isOpen(t) {
			if depth == 0 {
				open = j
				break
			}
			depth--
		} else if t.kind == tkNewline || depth == 0 && t.kind == tkName && t.text == "lambda" {
			return edit{}, false
		}
	}
	if open < 1 || toks[open].text != "(" || !isAtomEnd(toks[open-1]) || (open >= 2 && toks[open-2].text == "def") {
		return edit{}, false
	}
	end := -1
	depth = 0
	for j := k + 1; j < len(toks) && end < 0; j++ {
		t := toks[j]
		if isOpen(t) {
			depth++
		} else if isClose(t) {
			if depth == 0 {
				end = j - 1
			}
			depth--
		} else if depth == 0 && (t.text == "," || t.kind == tkName && (t.text == "for" || t.text == "lambda")) {
			if t.text != "," {
				return edit{}, false
			}
			end = j - 1
		}
	}
	if end < k+1 || toks[k+1].text == "__it__" {
		return edit{}, false
	}
	a, b := toks[k+1].start, toks[end].end
	return edit{a, b, "__it__((" + src[a:b] + "))"}, true
}

func setItemStatement(src string, toks []token, from, to int) (edit, bool) {
	if to-from < 6 || toks[from].kind != tkName || pyKeywords[toks[from].text] {
		return edit{}, false
	}
	eq, severalTargets, _, ok := assignment(toks, from, to)
	if !ok || severalTargets || eq+1 >= to || !(toks[eq-1].kind == tkOp && toks[eq-1].text == "]") {
		return edit{}, false
	}
	open := matchBackward(toks, eq-1)
	if open <= from || operandStart(toks, open-1) != from {
		return edit{}, false
	}
	obj := src[toks[from].start:toks[open].start]
	key := src[toks[open].end:toks[eq-1].start]
	if strings.TrimSpace(key) == "" || strings.Contains(key, ":") && !strings.ContainsAny(key, "({[") {
		return edit{}, false // a slice assignment
	}
	val := src[toks[eq].end:toks[to-1].end]
	return edit{toks[from].start, toks[to-1].end, "__setitem__(" + obj + ", (" + key + "), (" + val + "))"}, true
}

// rewriteListCalls turns list(...), tuple(...), dict(...) and str(...)
// into __list__(...), __tuple__(...), __dict_new__(...) and
// __str_new__(...), which keep a dict's key order, unless the code binds
// those names to something of its own.
func rewriteListCalls(src string) string {
	toks := tokenize(src)
	for k, t := range toks {
		if t.kind == tkName && (t.text == "list" || t.text == "tuple" || t.text == "dict" || t.text == "str") {
			prev := ""
			if k > 0 {
				prev = toks[k-1].text
			}
			next := ""
			if k+1 < len(toks) {
				next = toks[k+1].text
			}
			if prev == "def" || prev == "class" || prev == "import" || prev == "as" || prev == "global" || prev == "nonlocal" ||
				next == "=" || (prev == "for") || (next == "," && prev != "(" && prev != "," && prev != "=") {
				return src // shadowed, or used as a name: leave alone
			}
		}
	}
	var b strings.Builder
	last := 0
	for k, t := range toks {
		if t.kind == tkName && (t.text == "list" || t.text == "tuple" || t.text == "dict" || t.text == "str") && k+1 < len(toks) && toks[k+1].text == "(" &&
			(k == 0 || toks[k-1].text != ".") {
			b.WriteString(src[last:t.start])
			if t.text == "dict" || t.text == "str" {
				b.WriteString("__" + t.text + "_new__")
			} else {
				b.WriteString("__" + t.text + "__")
			}
			last = t.end
		}
	}
	b.WriteString(src[last:])
	return b.String()
}

// isSeqDisplay reports whether tokens a..b are one (...) holding a
// top-level comma, or one [...].
func isSeqDisplay(toks []token, a, b int) bool {
	if a < 0 || b >= len(toks) || a >= b || !isOpen(toks[a]) || matchForward(toks, a) != b {
		return false
	}
	if toks[a].text == "[" {
		return a == 0 || !isAtomEnd(toks[a-1]) // a list display, not a subscript
	}
	if toks[a].text != "(" {
		return false
	}
	depth := 0
	for j := a + 1; j < b; j++ {
		if isOpen(toks[j]) {
			depth++
		} else if isClose(toks[j]) {
			depth--
		} else if depth == 0 && toks[j].text == "," {
			return true
		}
	}
	return false
}

// cmpBoundary reports whether token i ends (before) or starts (after) a
// comparison operand: nothing of higher precedence and no other
// comparison touches it.
func cmpBoundary(toks []token, i int, before bool) bool {
	if i < 0 || i >= len(toks) {
		return true
	}
	t := toks[i]
	switch t.kind {
	case tkNewline:
		return true
	case tkName:
		if before {
			return t.text == "if" || t.text == "elif" || t.text == "while" || t.text == "and" || t.text == "or" ||
				t.text == "not" || t.text == "return" || t.text == "assert" || t.text == "else" || t.text == "yield"
		}
		return t.text == "and" || t.text == "or" || t.text == "if" || t.text == "else" || t.text == "for"
	case tkOp:
		if before {
			return t.text == "(" || t.text == "[" || t.text == "," || t.text == "=" || t.text == ":" || t.text == ";" || t.text == "{"
		}
		return t.text == ")" || t.text == "]" || t.text == "}" || t.text == "," || t.text == ":" || t.text == ";"
	}
	return false
}

// dictComprehension rewrites {k: v for ...} to __dict_pairs__([(k, v) for ...]).
func dictComprehension(src string, toks []token, open, close int) (edit, bool) {
	colon, forAt := -1, -1
	depth := 0
	for j := open + 1; j < close; j++ {
		t := toks[j]
		if isOpen(t) {
			depth++
			continue
		}
		if isClose(t) {
			depth--
			continue
		}
		if depth != 0 {
			continue
		}
		if t.kind == tkName && t.text == "lambda" && colon < 0 {
			return edit{}, false
		}
		if colon < 0 && t.kind == tkOp && t.text == ":" {
			colon = j
		}
		if colon >= 0 && t.kind == tkName && (t.text == "for" || t.text == "async") {
			forAt = j
			break
		}
	}
	if colon <= open+1 || forAt <= colon+1 {
		return edit{}, false
	}
	key := src[toks[open+1].start:toks[colon].start]
	val := src[toks[colon].end:toks[forAt].start]
	rest := src[toks[forAt].start:toks[close].start]
	return edit{toks[open].start, toks[close].end, "__dict_pairs__([(" + key + "," + val + ") " + rest + "])"}, true
}

// Binary + goes through __plus__ (and name += x through __iplus__)
// because gpython's + is wrong for two bools (a TypeError; CPython gives
// an int) and for tuples of different lengths (it loses items). The call
// costs more than the BINARY_ADD opcode, so a + is left alone when the
// result cannot differ: when one side is a literal, a list display or an
// expression known to give a str or a number (len(...), "..." % x, an
// f-string, s.lower()...). Operands keep their text, spacing and lines:
// only the + becomes a comma.

// arithStart reports whether an additive expression (arith_expr in
// Python's grammar) may start at token i: what comes before binds less
// tightly than + and -.
func arithStart(toks []token, i int) bool {
	if i == 0 {
		return true
	}
	p := toks[i-1]
	switch p.kind {
	case tkNewline:
		return true
	case tkName:
		switch p.text {
		case "return", "yield", "if", "elif", "while", "and", "or", "not", "in", "is", "else", "assert", "from", "raise":
			return true
		}
		return false
	case tkOp:
		switch p.text {
		case "(", "[", "{", ",", ":", ";", "=", "==", "!=", "<", ">", "<=", ">=", "<<", ">>", "&", "|", "^", ":=", "->",
			"+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", ">>=", "<<=", "@=":
			return true
		}
	}
	return false
}

func isMulOp(t token) bool {
	return t.kind == tkOp && (t.text == "*" || t.text == "/" || t.text == "//" || t.text == "%" || t.text == "@")
}

// termEnd returns the last token of the term (factors joined by * / //
// % @) that starts at token i, or -1.
func termEnd(toks []token, i int) int {
	e := operandEnd(toks, i)
	for e >= 0 && e+2 < len(toks) && isMulOp(toks[e+1]) {
		e = operandEnd(toks, e+2)
	}
	return e
}

// strOrNumCalls give a str or a number (or fail) whatever their argument.
var strOrNumCalls = map[string]bool{"__fmt__": true, "__str_new__": true, "__list__": true, "len": true, "int": true, "float": true, "round": true, "abs": true,
	"__minus__": true, "__divide__": true, "__floordiv2__": true, "__power__": true, "__negate__": true, "__posit__": true, "__flip__": true}

// strMethods are methods that give a str on a str (and nothing that
// + could concatenate with a tuple on anything else).
var strMethods = map[string]bool{"lower": true, "upper": true, "strip": true, "lstrip": true, "rstrip": true, "title": true,
	"capitalize": true, "casefold": true, "join": true, "format": true, "zfill": true, "ljust": true, "rjust": true, "center": true,
	"hexdigest": true, "isoformat": true, "strftime": true, "removeprefix": true, "removesuffix": true, "swapcase": true}

// plainAddOperand reports whether the term toks[a..b] has a value for
// which gpython's own + is right whatever the other side: a number or
// string literal, a list display, "..." % x, or a call that gives a str
// or a number.
func plainAddOperand(toks []token, a, b int) bool {
	i := a
	for i < b && toks[i].kind == tkOp && (toks[i].text == "-" || toks[i].text == "+" || toks[i].text == "~") {
		i++
	}
	t := toks[i]
	switch {
	case t.kind == tkNumber:
		return i == b
	case t.kind == tkString:
		j := i
		for j < b && toks[j+1].kind == tkString {
			j++
		}
		if j == b {
			return true
		}
		// "..." % x (and "..." * n): a str.
		if i == a && toks[j+1].kind == tkOp && (toks[j+1].text == "%" || toks[j+1].text == "*") {
			return operandEnd(toks, j+2) == b
		}
		return false
	case i == a && t.kind == tkOp && t.text == "[":
		return matchForward(toks, a) == b
	case i == a && t.kind == tkName && strOrNumCalls[t.text] && i+1 < b && toks[i+1].text == "(":
		return matchForward(toks, i+1) == b
	case i == a && t.kind == tkName && t.text == "__pct__" && i+2 < b && toks[i+1].text == "(" && toks[i+2].kind == tkString:
		return matchForward(toks, i+1) == b
	}
	// x.lower(), "-".join(...): a str.
	if i == a && toks[b].kind == tkOp && toks[b].text == ")" {
		o := matchBackward(toks, b)
		if o >= 2 && o > a && toks[o-1].kind == tkName && strMethods[toks[o-1].text] && toks[o-2].kind == tkOp && toks[o-2].text == "." {
			return true
		}
	}
	return false
}

// addChain rewrites the additive expression that starts at token k when
// one of its binary + needs __plus__: terms are folded left to right, as
// Python groups them. It returns the edit and whether there is one.
func addChain(src string, toks []token, k int) (edit, bool) {
	e := termEnd(toks, k)
	if e < 0 {
		return edit{}, false
	}
	start := k
	acc := src[toks[k].start:toks[e].end]
	plain := plainAddOperand(toks, k, e)
	nonBool := nonBoolOperand(toks, k, e)
	changed := false
	for e+2 < len(toks) && toks[e+1].kind == tkOp && (toks[e+1].text == "+" || toks[e+1].text == "-") {
		op := toks[e+1]
		ne := termEnd(toks, e+2)
		if ne < 0 {
			break
		}
		between := src[toks[e].end:op.start]
		right := src[op.end:toks[ne].end]
		termPlain := plainAddOperand(toks, e+2, ne)
		switch {
		case op.text == "-" && !nonBool && !nonBoolOperand(toks, e+2, ne):
			// Both sides may be bools (see minus).
			acc = "__minus__(" + acc + between + "," + right + ")"
			changed = true
			plain = true
		case op.text == "-" || plain || termPlain:
			acc += between + op.text + right
			plain = true
		default:
			acc = "__plus__(" + acc + between + "," + right + ")"
			changed = true
		}
		nonBool = true // a sum or a difference is never a bool
		e = ne
	}
	if !changed {
		return edit{}, false
	}
	return edit{toks[start].start, toks[e].end, acc}, true
}

// nonBoolOperand reports whether the operand toks[a..b] (a term or a
// factor) cannot be a bool, so that gpython's arithmetic is right with it
// whatever the other side (see arith.go): a plain operand, a unary
// operation, a product or a power.
func nonBoolOperand(toks []token, a, b int) bool {
	if t := toks[a]; t.kind == tkOp && (t.text == "-" || t.text == "+" || t.text == "~") {
		return true
	}
	if plainAddOperand(toks, a, b) {
		return true
	}
	if t := toks[a]; t.kind == tkName && (t.text == "__plus__" || t.text == "__times__") && a+1 < b && toks[a+1].text == "(" && matchForward(toks, a+1) == b {
		return true
	}
	depth := 0
	for j := a; j <= b; j++ {
		t := toks[j]
		if isOpen(t) {
			depth++
		} else if isClose(t) {
			depth--
		} else if depth == 0 && (isMulOp(t) || t.kind == tkOp && t.text == "**") {
			return true
		}
	}
	return false
}

func isFloatLiteral(toks []token, a, b int) bool {
	t := toks[a]
	return a == b && t.kind == tkNumber && !strings.HasPrefix(strings.ToLower(t.text), "0x") && strings.ContainsAny(t.text, ".eE")
}

// termStart reports whether a term (factors joined by * / // % @) may
// start at token i.
func termStart(toks []token, i int) bool {
	if arithStart(toks, i) {
		return true
	}
	p := toks[i-1]
	return p.kind == tkOp && (p.text == "+" || p.text == "-") && i >= 2 && isAtomEnd(toks[i-2])
}

// mulChain rewrites the * / and // of the term that starts at token k
// whose operands could be bools (see arith.go): x * y becomes
// __times__(x, y) unless one side cannot be a bool, x / y becomes
// __divide__(x, y) unless neither side can be one or a side is a float
// literal. Factors keep their text; the term is folded left to right.
func mulChain(src string, toks []token, k int) (edit, bool) {
	e := operandEnd(toks, k)
	if e < 0 {
		return edit{}, false
	}
	acc := src[toks[k].start:toks[e].end]
	nonBool, float := nonBoolOperand(toks, k, e), isFloatLiteral(toks, k, e)
	changed := false
	for e+2 < len(toks) && isMulOp(toks[e+1]) {
		op := toks[e+1]
		ne := operandEnd(toks, e+2)
		if ne < 0 {
			break
		}
		between := src[toks[e].end:op.start]
		right := src[op.end:toks[ne].end]
		rNonBool, rFloat := nonBoolOperand(toks, e+2, ne), isFloatLiteral(toks, e+2, ne)
		helper := ""
		switch op.text {
		case "*":
			if !nonBool && !rNonBool {
				helper = "__times__"
			}
		case "//":
			if !nonBool && !rNonBool {
				helper = "__floordiv2__"
			}
		case "/":
			if !(nonBool && rNonBool) && !float && !rFloat {
				helper = "__divide__"
			}
		}
		if helper != "" {
			acc = helper + "(" + acc + between + "," + right + ")"
			changed = true
		} else {
			acc += between + op.text + right
		}
		nonBool, float = true, false
		e = ne
	}
	if !changed {
		return edit{}, false
	}
	return edit{toks[k].start, toks[e].end, acc}, true
}

// powerOp rewrites a ** b whose "**" is token k to __power__(a, b) when
// both sides could be bools.
func powerOp(src string, toks []token, k int) (edit, bool) {
	ls := operandStart(toks, k-1)
	if ls < 0 {
		return edit{}, false
	}
	re := operandEnd(toks, k+1)
	if re < 0 || nonBoolOperand(toks, ls, k-1) || nonBoolOperand(toks, k+1, re) {
		return edit{}, false
	}
	return edit{toks[ls].start, toks[re].end, "__power__(" + src[toks[ls].start:toks[k].start] + "," + src[toks[k].end:toks[re].end] + ")"}, true
}

// unaryOp rewrites -x, +x and ~x (the operator is token k) to
// __negate__(x), __posit__(x) and __flip__(x) unless x cannot be a bool.
func unaryOp(src string, toks []token, k int) (edit, bool) {
	t := toks[k]
	if t.kind != tkOp || (t.text != "-" && t.text != "+" && t.text != "~") || k+1 >= len(toks) || (k > 0 && isAtomEnd(toks[k-1])) {
		return edit{}, false
	}
	if n := toks[k+1]; n.kind == tkOp && (n.text == "-" || n.text == "+" || n.text == "~") {
		return edit{}, false // --x: the inner one first
	}
	re := operandEnd(toks, k+1)
	if re < 0 || nonBoolOperand(toks, k+1, re) {
		return edit{}, false
	}
	name := map[string]string{"-": "__negate__", "+": "__posit__", "~": "__flip__"}[t.text]
	return edit{t.start, toks[re].end, name + "(" + src[toks[k+1].start:toks[re].end] + ")"}, true
}

// augAddStatement turns the statement "name += x" into
// "name = __iplus__(name, (x))" unless x is plain (see plainAddOperand).
func augAddStatement(src string, toks []token, from, to int) (edit, bool) {
	if to-from < 3 || toks[from].kind != tkName || pyKeywords[toks[from].text] || toks[from+1].kind != tkOp || toks[from+1].text != "+=" {
		return edit{}, false
	}
	last := to - 1
	// n += 1 stays as it is (a list += "ab" must extend, so strings do not).
	if termEnd(toks, from+2) == last && plainAddOperand(toks, from+2, last) && toks[from+2].kind != tkString {
		return edit{}, false
	}
	name := toks[from].text
	rhs := src[toks[from+1].end:toks[last].end]
	return edit{toks[from].start, toks[last].end, name + " = __iplus__(" + name + ", (" + rhs + "))"}, true
}

// Dict keys that are not str (see keys.go) need their own helpers where
// gpython's opcodes would pass the key to py.StringDict: a subscript
// X[K] that reads becomes __getix__(X, K), K in X becomes __in__(K, X),
// del X[K] becomes __delix__(X, K) and X[K] op= V becomes
// __setitem__(X, (K), __getix__(X, (K)) op V). A key written as a str
// literal (event["name"], "k" in event) keeps gpython's opcode: it is
// the common case and the fast one.

// assignTargets marks the tokens left of the last top-level = of their
// statement: subscripts there are (or are inside) assignment targets.
func assignTargets(toks []token) []bool {
	out := make([]bool, len(toks))
	start, depth := 0, 0
	for k := 0; k <= len(toks); k++ {
		if k < len(toks) {
			t := toks[k]
			if isOpen(t) {
				depth++
			} else if isClose(t) {
				depth--
			}
			if !(t.kind == tkNewline || (depth == 0 && t.kind == tkOp && t.text == ";")) {
				continue
			}
		}
		last := -1
		d := 0
		for j := start; j < k; j++ {
			if isOpen(toks[j]) {
				d++
			} else if isClose(toks[j]) {
				d--
			} else if d == 0 && toks[j].kind == tkOp && toks[j].text == "=" {
				last = j
			}
		}
		del := start < k && toks[start].kind == tkName && toks[start].text == "del"
		for j := start; j < k; j++ {
			out[j] = j < last || del
		}
		start = k + 1
	}
	return out
}

// subscriptLoad rewrites the subscript whose "[" is token k.
func subscriptLoad(src string, toks []token, k int, target []bool) (edit, bool) {
	if k == 0 || !isAtomEnd(toks[k-1]) || target[k] {
		return edit{}, false
	}
	m := matchForward(toks, k)
	if m < 0 || m == k+1 {
		return edit{}, false
	}
	if m+1 < len(toks) && toks[m+1].kind == tkOp && strings.HasSuffix(toks[m+1].text, "=") &&
		toks[m+1].text != "==" && toks[m+1].text != "<=" && toks[m+1].text != ">=" && toks[m+1].text != "!=" {
		return edit{}, false // a target
	}
	allStr, tuple := true, false
	depth := 0
	for j := k + 1; j < m; j++ {
		t := toks[j]
		if t.kind != tkString {
			allStr = false
		}
		if isOpen(t) {
			depth++
		} else if isClose(t) {
			depth--
		} else if depth == 0 && t.kind == tkOp && t.text == ":" {
			return edit{}, false // a slice
		} else if depth == 0 && t.text == "," {
			tuple = true
		} else if depth == 0 && t.kind == tkName && (t.text == "for" || t.text == "lambda" || t.text == "yield") {
			return edit{}, false
		}
	}
	if allStr {
		return edit{}, false
	}
	s := operandStart(toks, k-1)
	if s < 0 {
		return edit{}, false
	}
	key := src[toks[k].end:toks[m].start]
	if tuple {
		key = "(" + key + ")"
	}
	return edit{toks[s].start, toks[m].end, "__getix__(" + src[toks[s].start:toks[k].start] + ", " + key + ")"}, true
}

// forTarget reports whether the "in" at token k is the one of a for.
func forTarget(toks []token, k int) bool {
	for j := k - 1; j >= 0; j-- {
		t := toks[j]
		switch {
		case isClose(t):
			j = matchBackward(toks, j)
			if j < 0 {
				return false
			}
		case t.kind == tkName && t.text == "for":
			return true
		case t.kind == tkName && !pyKeywords[t.text], t.kind == tkOp && (t.text == "," || t.text == "." || t.text == "*"):
		default:
			return false
		}
	}
	return false
}

// inTest rewrites the membership test whose "in" is token k.
func inTest(src string, toks []token, k int) (edit, bool) {
	if k < 1 || k+1 >= len(toks) || forTarget(toks, k) {
		return edit{}, false
	}
	leftEnd, not := k-1, false
	if toks[k-1].kind == tkName && toks[k-1].text == "not" {
		leftEnd, not = k-2, true
	}
	ls := operandStart(toks, leftEnd)
	if ls < 0 || toks[ls].kind == tkString && operandEnd(toks, ls) == leftEnd {
		return edit{}, false // a str literal: gpython's own in is right
	}
	re := operandEnd(toks, k+1)
	if re < 0 || !cmpBoundary(toks, ls-1, true) || !cmpBoundary(toks, re+1, false) {
		return edit{}, false
	}
	text := "__in__(" + src[toks[ls].start:toks[leftEnd].end] + ", " + src[toks[k+1].start:toks[re].end] + ")"
	if not {
		text = "not " + text
	}
	return edit{toks[ls].start, toks[re].end, text}, true
}

// keyStatement rewrites del X[K] and X[K] op= V (X a name or dotted
// name, K without calls, so that reading them twice changes nothing).
func keyStatement(src string, toks []token, from, to int) (edit, bool) {
	if to-from < 4 {
		return edit{}, false
	}
	del := toks[from].kind == tkName && toks[from].text == "del"
	x := from
	if del {
		x++
	}
	if toks[x].kind != tkName || pyKeywords[toks[x].text] {
		return edit{}, false
	}
	// The subscript X[K] that ends the target: "]" before the operator
	// (or the end of a del).
	m := -1
	if del {
		m = to - 1
	} else {
		for i := x; i < to; i++ {
			if toks[i].kind == tkOp && strings.HasSuffix(toks[i].text, "=") && len(toks[i].text) > 1 &&
				toks[i].text != "==" && toks[i].text != "<=" && toks[i].text != ">=" && toks[i].text != "!=" {
				m = i - 1
				break
			}
			if isOpen(toks[i]) {
				if i = matchForward(toks, i); i < 0 {
					return edit{}, false
				}
			}
		}
	}
	if m <= x || toks[m].text != "]" {
		return edit{}, false
	}
	open := matchBackward(toks, m)
	if open <= x || open == m-1 {
		return edit{}, false
	}
	j := open - 1
	// X and K: names, literals, dots and subscripts, nothing that calls.
	allStr := true
	for i := x; i < m; i++ {
		t := toks[i]
		if i > open && t.kind != tkString {
			allStr = false
		}
		if !(t.kind == tkName && !pyKeywords[t.text] || t.kind == tkNumber || t.kind == tkString ||
			t.kind == tkOp && (t.text == "." || t.text == "," || t.text == "-" || t.text == "[" || t.text == "]")) {
			return edit{}, false
		}
	}
	if allStr && !del {
		return edit{}, false
	}
	obj := src[toks[x].start:toks[j].end]
	key := "(" + src[toks[j+1].end:toks[m].start] + ")"
	if del {
		if m != to-1 {
			return edit{}, false
		}
		return edit{toks[from].start, toks[m].end, "__delix__(" + obj + ", " + key + ")"}, true
	}
	if m+2 >= to+1 || toks[m+1].kind != tkOp {
		return edit{}, false
	}
	op := toks[m+1].text
	switch op {
	case "+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=":
	default:
		return edit{}, false
	}
	if m+2 > to-1 {
		return edit{}, false
	}
	val := src[toks[m+2].start:toks[to-1].end]
	if m+2 != to-1 {
		val = "(" + val + ")"
	}
	return edit{toks[from].start, toks[to-1].end,
		"__setitem__(" + obj + ", " + key + ", __getix__(" + obj + ", " + key + ") " + strings.TrimSuffix(op, "=") + " " + val + ")"}, true
}

// unboundStrMethod reports whether str.name is an instance method that
// __strmethod__ can call with the instance first (not maketrans, which is
// static).
func unboundStrMethod(name string) bool {
	if name == "maketrans" || strings.HasPrefix(name, "__") {
		return false
	}
	_, ok := py.StringType.Dict[name]
	return ok
}

// strShadowed reports whether the code binds the name str itself.
func strShadowed(toks []token) bool {
	for k, t := range toks {
		if t.kind != tkName || t.text != "str" {
			continue
		}
		if k+1 < len(toks) && toks[k+1].text == "=" {
			return true
		}
		if k > 0 {
			switch toks[k-1].text {
			case "def", "class", "for", "as", "import", "global", "nonlocal", "lambda":
				return true
			}
		}
	}
	return false
}

// rewriteNumbers drops the underscores of number literals (1_000_000,
// Python 3.6), which gpython's tokenizer does not take.
func rewriteNumbers(src string) string {
	if !strings.Contains(src, "_") {
		return src
	}
	var b strings.Builder
	last := 0
	for _, t := range tokenize(src) {
		if t.kind == tkNumber && strings.Contains(t.text, "_") {
			b.WriteString(src[last:t.start])
			b.WriteString(strings.ReplaceAll(t.text, "_", ""))
			last = t.end
		}
	}
	if last == 0 {
		return src
	}
	b.WriteString(src[last:])
	return b.String()
}

// rewriteStarLists turns list displays with starred items (Python 3.5)
// into concatenations: [a, *b, c] is ([a] + list(b) + [c]). The text
// between items is kept, so every line stays where it was. A display that
// is an assignment or loop target ([a, *b] = x) is left alone.
func rewriteStarLists(src string) string {
	if !strings.Contains(src, "*") {
		return src
	}
	toks := tokenize(src)
	var edits []edit
	for k := 0; k < len(toks); k++ {
		t := toks[k]
		if t.kind != tkOp || t.text != "[" || (k > 0 && isAtomEnd(toks[k-1])) {
			continue
		}
		m := matchForward(toks, k)
		if m < 0 {
			continue
		}
		if (m+1 < len(toks) && toks[m+1].kind == tkOp && toks[m+1].text == "=") || (k > 0 && toks[k-1].text == "for") {
			continue // a target
		}
		var items [][2]int
		depth, from, starred, comp := 0, k+1, false, false
		for j := k + 1; j < m; j++ {
			switch {
			case isOpen(toks[j]):
				depth++
			case isClose(toks[j]):
				depth--
			case depth == 0 && toks[j].kind == tkName && toks[j].text == "for":
				comp = true
			case depth == 0 && toks[j].kind == tkOp && toks[j].text == ",":
				items = append(items, [2]int{from, j - 1})
				from = j + 1
			}
			if depth == 0 && j == from && toks[j].kind == tkOp && toks[j].text == "*" {
				starred = true
			}
		}
		if from <= m-1 {
			items = append(items, [2]int{from, m - 1})
		}
		if !starred || comp {
			continue
		}
		var b strings.Builder
		b.WriteString("(")
		b.WriteString(src[t.end:toks[items[0][0]].start]) // what follows the [
		inGroup := false
		for i, it := range items {
			star := toks[it[0]].kind == tkOp && toks[it[0]].text == "*"
			if i > 0 {
				prevStar := toks[items[i-1][0]].text == "*"
				sep := src[toks[items[i-1][1]].end:toks[it[0]].start]
				if star || prevStar {
					if inGroup {
						b.WriteString("]")
						inGroup = false
					}
					b.WriteString(" +" + strings.Replace(sep, ",", "", 1))
				} else {
					b.WriteString(sep)
				}
			}
			if star {
				b.WriteString("list(" + src[toks[it[0]+1].start:toks[it[1]].end] + ")")
				continue
			}
			if !inGroup {
				b.WriteString("[")
				inGroup = true
			}
			b.WriteString(src[toks[it[0]].start:toks[it[1]].end])
		}
		if inGroup {
			b.WriteString("]")
		}
		b.WriteString(strings.Replace(src[toks[items[len(items)-1][1]].end:toks[m].start], ",", "", 1)) // before the ]
		b.WriteString(")")
		edits = append(edits, edit{t.start, toks[m].end, b.String()})
		k = m // nested displays are left for the next pass
	}
	if len(edits) == 0 {
		return src
	}
	out := applyEdits(src, edits)
	if out != src {
		return rewriteStarLists(out) // displays nested in the items
	}
	return out
}

// rewriteAnnotations drops variable annotations (Python 3.6), which
// gpython's parser refuses: "x: Dict[str, int] = {}" becomes "x = {}",
// a bare "x: int" becomes "pass". Only names are handled as targets
// (not "self.x: int = 0"). Newlines inside the annotation are kept.
func rewriteAnnotations(src string) string {
	if !strings.Contains(src, ":") {
		return src
	}
	toks := tokenize(src)
	var edits []edit
	keepLines := func(a, b int) string { return strings.Repeat("\n", strings.Count(src[a:b], "\n")) }
	for k := 0; k+1 < len(toks); k++ {
		start := k == 0 || toks[k-1].kind == tkNewline || (toks[k-1].kind == tkOp && toks[k-1].text == ";")
		t := toks[k]
		if !start || t.kind != tkName || pyKeywords[t.text] || toks[k+1].kind != tkOp || toks[k+1].text != ":" {
			continue
		}
		// The statement's end and its "=" at depth 0.
		depth, eq, end := 0, -1, len(toks)
		for j := k + 2; j < len(toks); j++ {
			tj := toks[j]
			if isOpen(tj) {
				depth++
			} else if isClose(tj) {
				depth--
			} else if depth == 0 && (tj.kind == tkNewline || tj.kind == tkOp && tj.text == ";") {
				end = j
				break
			} else if depth == 0 && eq < 0 && tj.kind == tkOp && tj.text == "=" {
				eq = j
			}
		}
		if eq >= 0 {
			// The annotation's own line breaks go after the statement,
			// as blank lines, so the lines below stay where they were.
			edits = append(edits, edit{toks[k+1].start, toks[eq].start, " "})
			if nl := keepLines(toks[k+1].start, toks[eq].start); nl != "" {
				at := toks[end-1].end
				edits = append(edits, edit{at, at, nl})
			}
		} else {
			last := toks[end-1].end
			edits = append(edits, edit{t.start, last, "pass" + keepLines(t.start, last)})
		}
		k = end - 1
	}
	return applyEdits(src, edits)
}
