package pyrt

import (
	"sort"
	"strings"

	"github.com/go-python/gpython/py"
)

// The walrus operator (:=) has no equivalent in Python 3.4, whose
// expressions cannot bind a name. rewriteWalrus turns the forms where the
// assignment can be moved out of the expression without changing what
// runs, in what order, into plain assignments:
//
//	if (m := E) ...:        m = E           (a line above the if)
//	                        if (m) ...:
//	elif (m := E) ...:      else:
//	                         m = E
//	                         if (m) ...:    (later elif/else of the chain
//	                                         move in by one space)
//	while (n := E) ...:     while True:
//	                            n = E
//	                            if not ((n) ...): break
//	x = [y := E, y]         y = E; x = [y, y]   (same line)
//	[.. for x in xs if (y := E) ..]   [.. for x in xs for y in [E] if (y) ..]
//	[(y := E) .. for x in xs]         [(y) .. for x in xs for y in [E]]
//
// The assignment must be the first thing the condition, statement or
// comprehension part evaluates (only "(" and "not", or a call's function
// name, before it), so that moving it first changes nothing. Inserted
// lines are counted in the returned line map (line of the result, 1-based,
// at index-1 -> line of src) and compileSource maps line numbers of code
// and errors back, so errors still name the user's lines. Other uses of
// := are a SyntaxError that says where.
//
// In a comprehension the name stays local to it (CPython binds it in the
// enclosing function): using it after the comprehension is refused.
func rewriteWalrus(src string) (string, []int, *Error) {
	if !strings.Contains(src, ":=") {
		return src, nil, nil
	}
	toks := tokenize(src)
	w := walrusRewriter{src: src, toks: toks, shift: map[int]int{}, done: map[int]bool{}}
	w.depth = make([]int, len(toks))
	d := 0
	for i, t := range toks {
		if isClose(t) {
			d--
		}
		w.depth[i] = d
		if isOpen(t) {
			d++
		}
	}
	for k, t := range toks {
		if t.kind != tkOp || t.text != ":=" || w.done[k] {
			continue
		}
		if err := w.one(k); err != nil {
			return "", nil, err
		}
	}
	// Chain headers after a rewritten elif move in.
	for k, n := range w.shift {
		if !w.replaced[k] {
			w.edits = append(w.edits, edit{toks[k].start, toks[k].start, strings.Repeat(" ", n)})
		}
	}
	sort.SliceStable(w.edits, func(i, j int) bool { return w.edits[i].start < w.edits[j].start })
	var b strings.Builder
	last := 0
	for _, e := range w.edits {
		if e.start < last {
			return "", nil, w.errAt(0, e.start, "this use of := is not supported (two assignment expressions in one place)")
		}
		b.WriteString(src[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.WriteString(src[last:])
	out := b.String()
	lines := []int{1}
	orig := 1
	var res strings.Builder
	for i := 0; i < len(out); i++ {
		switch out[i] {
		case '\n':
			orig++
			lines = append(lines, orig)
			res.WriteByte('\n')
		case 0:
			lines = append(lines, orig)
			res.WriteByte('\n')
		default:
			res.WriteByte(out[i])
		}
	}
	return res.String(), lines, nil
}

type walrusRewriter struct {
	src      string
	toks     []token
	depth    []int
	edits    []edit
	shift    map[int]int  // chain header token -> spaces to add
	replaced map[int]bool // elif tokens rewritten (their shift is in the text)
	done     map[int]bool
}

const walrusHelp = "assignment expressions (:=) work at the start of an if/elif/while condition, of a statement, or of a comprehension's condition or element"

func (w *walrusRewriter) errAt(k int, pos int, msg string) *Error {
	if k >= 0 && k < len(w.toks) && pos == 0 {
		pos = w.toks[k].start
	}
	line := strings.Count(w.src[:pos], "\n") + 1
	col := pos - (strings.LastIndexByte(w.src[:pos], '\n') + 1) + 1
	return &Error{Kind: KindSyntax, Type: "SyntaxError", Message: msg, Line: line, Col: col,
		SourceLine: sourceLine(strings.Split(w.src, "\n"), line)}
}

// lineStart is the index of the first token of the logical line of k.
func (w *walrusRewriter) lineStart(k int) int {
	for k > 0 && w.toks[k-1].kind != tkNewline {
		k--
	}
	return k
}

func (w *walrusRewriter) lineEnd(k int) int {
	for k < len(w.toks) && w.toks[k].kind != tkNewline {
		k++
	}
	return k
}

// indent is the text before token k on its physical line.
func (w *walrusRewriter) indent(k int) string {
	p := w.toks[k].start
	return w.src[strings.LastIndexByte(w.src[:p], '\n')+1 : p]
}

func (w *walrusRewriter) col(k int) int {
	return len(strings.ReplaceAll(w.indent(k), "\t", "        "))
}

// one rewrites the assignment expression whose := is token k.
func (w *walrusRewriter) one(k int) *Error {
	toks := w.toks
	if k == 0 || toks[k-1].kind != tkName || pyKeywords[toks[k-1].text] || (k >= 2 && toks[k-2].text == ".") {
		return w.errAt(k, 0, "cannot use assignment expressions with this target")
	}
	name := toks[k-1].text
	d := w.depth[k]
	// The value runs to the end of the enclosing group or a comma.
	end := k + 1
	comp := w.compGroup(k)
	for ; end < len(toks); end++ {
		t := toks[end]
		if t.kind == tkNewline || w.depth[end] < d {
			break
		}
		if w.depth[end] == d && !isClose(t) && (t.text == "," || (t.kind == tkOp && t.text == ":") || t.text == "for" ||
			(t.text == "if" && comp >= 0 && w.depth[comp]+1 == d)) {
			break
		}
		if t.kind == tkOp && t.text == ":=" {
			return w.errAt(end, 0, "nested assignment expressions are not supported")
		}
	}
	end-- // last token of the value
	if end <= k {
		return w.errAt(k-1, 0, "invalid syntax")
	}
	w.done[k] = true
	value := w.src[toks[k+1].start:toks[end].end]
	target := edit{toks[k-1].start, toks[end].end, name}
	ls := w.lineStart(k)
	// Everything evaluated before the assignment must be harmless.
	first := func(from int) bool {
		for j := from; j < k-1; j++ {
			t := toks[j]
			switch {
			case t.kind == tkOp && (t.text == "(" || t.text == "[" || t.text == "{"):
			case t.kind == tkName && t.text == "not":
			case t.kind == tkName && !pyKeywords[t.text] && t.text != name && j+1 < k-1 && (toks[j+1].text == "(" || toks[j+1].text == "."):
			case t.kind == tkOp && t.text == "." && j+1 < k-1 && toks[j+1].kind == tkName:
			default:
				return false
			}
		}
		return true
	}
	for j := ls; j < k; j++ {
		if toks[j].kind == tkName && toks[j].text == "lambda" && w.depth[j] <= d {
			return w.errAt(k-1, 0, "assignment expressions inside lambda are not supported")
		}
	}
	if comp >= 0 {
		return w.inComprehension(k, comp, name, value, target, first)
	}
	head := toks[ls]
	switch head.text {
	case "if", "elif", "while":
		if !first(ls + 1) {
			return w.errAt(k-1, 0, "this use of := is not supported: "+walrusHelp+" (:= must come first in the condition)")
		}
		colon := -1
		for j := ls + 1; j < len(toks) && toks[j].kind != tkNewline; j++ {
			if w.depth[j] == 0 && toks[j].kind == tkOp && toks[j].text == ":" {
				colon = j
				break
			}
		}
		if colon < 0 || colon < end {
			return w.errAt(k-1, 0, "invalid syntax")
		}
		ind := w.indent(ls)
		switch head.text {
		case "if":
			w.edits = append(w.edits, edit{head.start, head.start, name + " = " + value + "\x00" + ind}, target)
		case "elif":
			return w.elif(ls, k, name, value, target)
		case "while":
			return w.while(ls, colon, name, value, target)
		}
		return nil
	case "for", "with", "def", "class", "try", "except", "finally", "else", "import", "from", "global", "nonlocal", "del", "async", "@":
		return w.errAt(k-1, 0, "this use of := is not supported: "+walrusHelp)
	}
	// A simple statement: "name = " targets, return or a call's function
	// may come first.
	s := ls
	for j := ls; j < k; j++ { // the last simple statement before k on the line
		if w.depth[j] == 0 && toks[j].kind == tkOp && (toks[j].text == ";" || toks[j].text == ":") {
			s = j + 1
		}
	}
	from := s
	for from+1 < k && toks[from].kind == tkName && !pyKeywords[toks[from].text] && toks[from].text != name && toks[from+1].text == "=" {
		from += 2
	}
	if from < k && toks[from].kind == tkName && (toks[from].text == "return" || toks[from].text == "yield" || toks[from].text == "assert") {
		from++
	}
	if !first(from) {
		return w.errAt(k-1, 0, "this use of := is not supported: "+walrusHelp+" (:= must be the first thing the statement computes)")
	}
	w.edits = append(w.edits, edit{toks[s].start, toks[s].start, name + " = " + value + "; "}, target)
	return nil
}

// compGroup returns the open bracket of the innermost comprehension that
// holds token k, or -1.
func (w *walrusRewriter) compGroup(k int) int {
	toks := w.toks
	for j := k - 1; j >= 0 && toks[j].kind != tkNewline; j-- {
		if !isOpen(toks[j]) || w.depth[j] >= w.depth[k] {
			continue
		}
		m := matchForward(toks, j)
		if m < 0 {
			return -1
		}
		for x := j + 1; x < m; x++ {
			if w.depth[x] == w.depth[j]+1 && toks[x].kind == tkName && toks[x].text == "for" {
				return j
			}
		}
		// Not a comprehension: look further out (depth decreases).
		k = j
	}
	return -1
}

func (w *walrusRewriter) inComprehension(k, open int, name, value string, target edit, first func(int) bool) *Error {
	toks := w.toks
	close := matchForward(toks, open)
	cd := w.depth[open] + 1
	// The clause holding k: the element (before the first for), a for
	// (refused: the iterable), or an if.
	clause, clauseKind := open+1, "element"
	for j := open + 1; j < k; j++ {
		if w.depth[j] == cd && toks[j].kind == tkName && (toks[j].text == "for" || toks[j].text == "if") {
			clause, clauseKind = j+1, toks[j].text
		}
	}
	if clauseKind == "for" {
		return w.errAt(k-1, 0, "assignment expressions cannot be used in a comprehension iterable expression")
	}
	if !first(clause) {
		return w.errAt(k-1, 0, "this use of := is not supported: "+walrusHelp+" (:= must come first in the comprehension's condition or element)")
	}
	// The name must not be used outside the comprehension (CPython would
	// bind it in the enclosing scope; here it stays in the comprehension).
	ls, le := w.lineStart(open), w.lineEnd(close)
	blockEnd := le
	c0 := w.col(ls)
	for j := le + 1; j < len(toks); j = w.lineEnd(j) + 1 {
		if w.col(j) < c0 {
			break
		}
		blockEnd = w.lineEnd(j)
	}
	for j := ls; j < blockEnd; j++ {
		if (j < open || j > close) && toks[j].kind == tkName && toks[j].text == name && (j == 0 || toks[j-1].text != ".") {
			return w.errAt(k-1, 0, "the name "+name+" bound by := in a comprehension is used outside it: not supported (it stays local to the comprehension)")
		}
	}
	ins := " for " + name + " in [" + value + "]"
	if clauseKind == "if" {
		w.edits = append(w.edits, edit{toks[clause-1].start, toks[clause-1].start, strings.TrimPrefix(ins, " ") + " "}, target)
	} else {
		w.edits = append(w.edits, target, edit{toks[close].start, toks[close].start, ins})
	}
	return nil
}

func (w *walrusRewriter) elif(ls, k int, name, value string, target edit) *Error {
	toks := w.toks
	c := w.col(ls)
	n := w.shift[ls]
	if w.replaced == nil {
		w.replaced = map[int]bool{}
	}
	w.replaced[ls] = true
	ind := w.indent(ls)
	pad := strings.Repeat(" ", n)
	// The body must sit deeper than the new if.
	le := w.lineEnd(ls)
	if le+1 < len(toks) && w.toks[le-1].text == ":" && w.col(le+1) <= c+n+1 {
		return w.errAt(k-1, 0, "this use of := in elif needs the elif's body indented by two spaces or more")
	}
	w.edits = append(w.edits, edit{toks[ls].start, toks[ls].end, pad + "else:\x00" + ind + pad + " " + name + " = " + value + "\x00" + ind + pad + " if"}, target)
	// Later elif/else of the chain move in by one space.
	for j := le + 1; j < len(toks); j = w.lineEnd(j) + 1 {
		cj := w.col(j)
		if cj > c {
			continue
		}
		if cj < c || (toks[j].text != "elif" && toks[j].text != "else") {
			break
		}
		w.shift[j] = w.shift[j] + 1
	}
	return nil
}

func (w *walrusRewriter) while(ls, colon int, name, value string, target edit) *Error {
	toks := w.toks
	c := w.col(ls)
	le := w.lineEnd(ls)
	// while ... else would run its else on break: refused.
	for j := le + 1; j < len(toks); j = w.lineEnd(j) + 1 {
		if cj := w.col(j); cj <= c {
			if cj == c && toks[j].text == "else" {
				return w.errAt(ls, 0, "while ... else with := in the condition is not supported")
			}
			break
		}
	}
	ind := w.indent(ls)
	cond := w.src[toks[ls+1].start:target.start] + name + w.src[target.end:toks[colon].start]
	inline := colon+1 < len(toks) && toks[colon+1].kind != tkNewline
	bi := ind + " "
	if !inline && colon+2 < len(toks) {
		bi = w.indent(colon + 2)
	}
	text := "while True:\x00" + bi + name + " = " + value + "\x00" + bi + "if not (" + cond + "): break"
	endPos := toks[colon].end
	if inline {
		text += "\x00" + bi
		endPos = toks[colon+1].start
	}
	w.edits = append(w.edits, edit{toks[ls].start, endPos, text})
	return nil
}

// remapLines puts the user's line numbers (lines[i-1] for line i of the
// compiled text) into c and the code nested in it.
func remapLines(c *py.Code, lines []int) {
	for _, k := range c.Consts {
		if nested, ok := k.(*py.Code); ok {
			remapLines(nested, lines)
		}
	}
	mapLine := func(n int32) int32 {
		if n >= 1 && int(n) <= len(lines) {
			return int32(lines[n-1])
		}
		return n
	}
	// Decode (address, line) pairs, map the lines, encode again.
	type pt struct{ addr, line int32 }
	var pts []pt
	addr, line := int32(0), c.Firstlineno
	for i := 0; i+1 < len(c.Lnotab); i += 2 {
		addr += int32(c.Lnotab[i])
		line += int32(c.Lnotab[i+1])
		pts = append(pts, pt{addr, line})
	}
	first := mapLine(c.Firstlineno)
	var out []byte
	pa, pl := int32(0), first
	for _, p := range pts {
		ml := mapLine(p.line)
		if ml < pl {
			ml = pl // never happens: the map is monotone
		}
		da, dl := p.addr-pa, ml-pl
		for da > 255 {
			out = append(out, 255, 0)
			da -= 255
		}
		for dl > 255 {
			out = append(out, byte(da), 255)
			da = 0
			dl -= 255
		}
		out = append(out, byte(da), byte(dl))
		pa, pl = p.addr, ml
	}
	c.Firstlineno = first
	c.Lnotab = string(out)
}
