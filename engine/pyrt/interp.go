package pyrt

import (
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-python/gpython/py"
)

// Meta is what a transform's optional second argument holds.
type Meta struct {
	ID         string            `json:"id"`
	Source     string            `json:"source"`
	ReceivedAt time.Time         `json:"received_at"`
	Headers    map[string]string `json:"headers,omitempty"`
}

// Outcome is what one call of a transform made of one event.
type Outcome struct {
	// Outputs are the events returned: one for a dict, several for a
	// list of dicts, none for None.
	Outputs []json.RawMessage `json:"outputs"`
	// Routes, when not nil, holds the route of each output ("" for
	// none): the function returned (route, dict) pairs, to be sent only
	// along the edges with that route.
	Routes []string `json:"routes,omitempty"`
	// Err is set when the call failed; Outputs is then empty.
	Err *Error `json:"error"`
	// Logs is what print() wrote, one entry per call of print.
	Logs []string `json:"logs"`
}

// Interp is one interpreter with a transform loaded. It is not safe for
// concurrent use (gpython contexts are not) and must run inside a worker
// process: user code can loop forever or exhaust memory and stack.
type Interp struct {
	sb        *sandbox
	lines     []string
	fn        py.Object
	wantsMeta bool
	defLine   int // line of "def <function>", for errors about the result
	logs      []string
	order     keyOrder
	rng       *pyRandom
	reCache   map[string]*rePattern
	zones     map[string]*pyTZ
	dec       jsonDecoder
}

// CheckSyntax compiles code without running it and returns the first
// syntax error, or nil. It is pure and fast, for validation.
func CheckSyntax(code string) *Error {
	_, err := compileSource(code)
	if err != nil {
		return err
	}
	return nil
}

func compileSource(code string) (*py.Code, *Error) {
	lines := strings.Split(code, "\n")
	src, lineMap, rerr := rewriteMapped(code)
	if rerr != nil {
		return nil, rerr
	}
	if !strings.HasSuffix(src, "\n") {
		src += "\n"
	}
	c, err := py.Compile(src, filename, py.ExecMode, 0, true)
	if err != nil {
		return nil, syntaxError(err, lines, lineMap)
	}
	fixCellArgs(c)
	fixClosureCells(c)
	if err := fixDerefs(c, src); err != nil {
		if lineMap != nil && err.Line > 0 && err.Line <= len(lineMap) {
			err.Line = lineMap[err.Line-1]
		}
		if err.Line > 0 && err.Line <= len(lines) {
			err.SourceLine = strings.TrimSpace(lines[err.Line-1])
		}
		return nil, err
	}
	if lineMap != nil {
		remapLines(c, lineMap)
	}
	return c, nil
}

// NewInterp compiles code, runs its top level and looks up the function.
// A failure is an *Error (syntax error, exception at top level, missing
// function).
func NewInterp(code, function string) (in *Interp, err error) {
	lines := strings.Split(code, "\n")
	c, perr := compileSource(code)
	if perr != nil {
		return nil, perr
	}
	in = &Interp{lines: lines, order: keyOrder{}}
	in.dec.intern = map[string]string{}
	in.rng = newRandom(time.Now().UnixNano())
	in.sb = &sandbox{store: py.NewModuleStore(), done: make(chan struct{}), in: in}
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	if err := in.setupBuiltins(); err != nil {
		return nil, fmt.Errorf("set up interpreter: %w", err)
	}
	mod, err := in.sb.store.NewModule(in.sb, &py.ModuleImpl{Info: py.ModuleInfo{Name: "__main__", FileDesc: filename}})
	if err != nil {
		return nil, fmt.Errorf("set up interpreter: %w", err)
	}
	// The helpers of the rewrite that run in loops are found at the
	// first look-up in the module's globals (LOAD_GLOBAL tries them
	// before the builtins).
	for _, name := range []string{"__plus__", "__iplus__", "__minus__", "__times__", "__divide__", "__floordiv2__", "__power__", "__negate__"} {
		mod.Globals[name] = in.sb.store.Builtins.Globals[name]
	}
	if _, err := in.sb.RunCode(c, mod.Globals, mod.Globals, nil); err != nil {
		return nil, exceptionError(err, lines)
	}
	fn, ok := mod.Globals[function]
	if !ok {
		return nil, &Error{Kind: KindSyntax, Type: "NameError", Message: fmt.Sprintf("the code defines no function %q", function), Line: lastLine(lines)}
	}
	f, ok := fn.(*py.Function)
	if !ok {
		return nil, &Error{Kind: KindSyntax, Type: "TypeError", Message: fmt.Sprintf("%q is a %s, not a function", function, fn.Type().Name)}
	}
	nargs := int(f.Code.Argcount)
	switch {
	case nargs == 0 && f.Code.Flags&py.CO_VARARGS == 0:
		return nil, &Error{Kind: KindSyntax, Type: "TypeError", Message: fmt.Sprintf("%s() must take the event as its argument", function), Line: int(f.Code.Firstlineno)}
	case nargs > 2:
		nreq := nargs - len(f.Defaults)
		if nreq > 2 {
			return nil, &Error{Kind: KindSyntax, Type: "TypeError", Message: fmt.Sprintf("%s() takes %d arguments; it gets (event) or (event, meta)", function, nargs), Line: int(f.Code.Firstlineno)}
		}
		in.wantsMeta = true
	case nargs == 2 || f.Code.Flags&py.CO_VARARGS != 0:
		in.wantsMeta = true
	}
	in.fn = f
	in.defLine = defLine(lines, function)
	return in, nil
}

// defLine finds the line defining function (gpython's compiler leaves
// Code.Firstlineno at 1).
func defLine(lines []string, function string) int {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "def ") && strings.HasPrefix(strings.TrimSpace(t[4:]), function) {
			rest := strings.TrimSpace(strings.TrimSpace(t[4:])[len(function):])
			if strings.HasPrefix(rest, "(") {
				return i + 1
			}
		}
	}
	return 0
}

func lastLine(lines []string) int {
	for i := len(lines); i > 0; i-- {
		if strings.TrimSpace(lines[i-1]) != "" {
			return i
		}
	}
	return 1
}

// Close releases the interpreter.
func (in *Interp) Close() error { return in.sb.Close() }

// Run calls the transform on one event body.
func (in *Interp) Run(body []byte, meta *Meta) (out Outcome) {
	in.logs = nil
	clear(in.order)
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Err: panicError(r), Logs: in.logs}
		}
	}()
	in.dec.order = in.order
	ev, err := in.dec.decode(body)
	if err != nil {
		return Outcome{Err: &Error{Kind: KindResult, Type: "ValueError", Message: "event body: " + err.Error()}}
	}
	args := py.Tuple{ev}
	if in.wantsMeta {
		args = append(args, metaDict(meta))
	}
	res, err := py.Call(in.fn, args, nil)
	if err != nil {
		return Outcome{Err: exceptionError(err, in.lines), Logs: in.logs}
	}
	outs, routes, perr := in.outputs(res)
	if perr != nil {
		return Outcome{Err: perr, Logs: in.logs}
	}
	return Outcome{Outputs: outs, Routes: routes, Logs: in.logs}
}

// routed reports whether o is a (route, dict) pair: an output sent only
// along the edges labelled with that route.
func routed(o py.Object) (string, py.Object, bool) {
	t, ok := o.(py.Tuple)
	if !ok || len(t) != 2 {
		return "", nil, false
	}
	r, ok := t[0].(py.String)
	if !ok {
		return "", nil, false
	}
	switch t[1].(type) {
	case py.StringDict, *defaultDict, *counter:
		return string(r), t[1], true
	}
	return "", nil, false
}

func isDict(o py.Object) bool {
	switch o.(type) {
	case py.StringDict, *defaultDict, *counter:
		return true
	}
	return false
}

// outputs encodes what the function returned: a dict, a (route, dict)
// pair, a list of those, or None.
func (in *Interp) outputs(res py.Object) ([]json.RawMessage, []string, *Error) {
	fnLine := in.defLine
	bad := func(msg string) *Error {
		return &Error{Kind: KindResult, Type: "TypeError", Message: msg, Line: fnLine, SourceLine: sourceLine(in.lines, fnLine)}
	}
	if res == py.None {
		return nil, nil, nil
	}
	var items []py.Object
	switch x := res.(type) {
	case *py.List:
		items = x.Items
	case py.Tuple:
		if _, _, ok := routed(x); ok {
			items = []py.Object{x}
		} else {
			items = x
		}
	default:
		if !isDict(res) {
			return nil, nil, bad(fmt.Sprintf("the transform returned %s; it must return a dict, a list of dicts or None", aType(res)))
		}
		items = []py.Object{res}
	}
	outs := make([]json.RawMessage, 0, len(items))
	var routes []string
	for i, it := range items {
		route, d, ok := routed(it)
		if !ok {
			if !isDict(it) {
				return nil, nil, bad(fmt.Sprintf("item %d of the returned list is %s; a transform returns a dict, a list of dicts or None", i, aType(it)))
			}
			d = it
		}
		b, err := toJSON(d, in.order)
		if err != nil {
			if len(items) == 1 {
				return nil, nil, bad("the returned dict cannot be JSON: " + exceptionMessageOf(err))
			}
			return nil, nil, bad(fmt.Sprintf("item %d of the returned list cannot be JSON: %s", i, exceptionMessageOf(err)))
		}
		outs = append(outs, b)
		if route != "" && routes == nil {
			routes = make([]string, len(items))
		}
		if routes != nil {
			routes[i] = route
		}
	}
	return outs, routes, nil
}

func exceptionMessageOf(err error) string {
	if ex, ok := err.(*py.Exception); ok {
		return exceptionMessage(ex)
	}
	return err.Error()
}

func metaDict(m *Meta) py.StringDict {
	d := py.NewStringDict()
	if m == nil {
		m = &Meta{}
	}
	d["id"] = py.String(m.ID)
	d["source"] = py.String(m.Source)
	if m.ReceivedAt.IsZero() {
		d["received_at"] = py.None
	} else {
		d["received_at"] = py.String(m.ReceivedAt.UTC().Format("2006-01-02T15:04:05.000000Z07:00"))
	}
	h := py.NewStringDict()
	for k, v := range m.Headers {
		h[k] = py.String(v)
	}
	d["headers"] = h
	return d
}

// fixCellArgs fills in Code.Cell2arg, which gpython's compiler never sets
// (only py.NewCode computes it). Without it an argument that a nested
// scope reads (a comprehension or lambda using a function argument) is an
// empty cell: UnboundLocalError. The mapping is computed here exactly as
// py.NewCode does, for the code and every code object nested in it.
func fixCellArgs(c *py.Code) {
	for _, k := range c.Consts {
		if nested, ok := k.(*py.Code); ok {
			fixCellArgs(nested)
		}
	}
	if len(c.Cellvars) == 0 || c.Cell2arg != nil {
		return
	}
	total := int(c.Argcount + c.Kwonlyargcount)
	if c.Flags&py.CO_VARARGS != 0 {
		total++
	}
	if c.Flags&py.CO_VARKEYWORDS != 0 {
		total++
	}
	m := make([]byte, len(c.Cellvars))
	used := false
	for i, cell := range c.Cellvars {
		m[i] = py.CO_CELL_NOT_AN_ARG
		for j := 0; j < total && j < len(c.Varnames); j++ {
			if c.Varnames[j] == cell {
				m[i] = byte(j)
				used = true
				break
			}
		}
	}
	if used {
		c.Cell2arg = m
	}
}

// aType names the type of o with its article: "an int", "a str".
func aType(o py.Object) string {
	n := o.Type().Name
	if n != "" && strings.ContainsRune("aeiou", rune(n[0])) {
		return "an " + n
	}
	return "a " + n
}

// panicError turns a Go panic inside gpython into an error of the event.
func panicError(r any) *Error {
	msg := fmt.Sprint(r)
	if strings.Contains(msg, "hash of unhashable type") {
		// gpython keeps sets in Go maps, which cannot hold tuples.
		return &Error{Kind: KindException, Type: "TypeError", Message: "unhashable type: sets cannot hold tuples or lists in transforms (gpython)"}
	}
	return &Error{Kind: KindException, Type: "InternalError", Message: "interpreter panic: " + msg, Traceback: string(debug.Stack())}
}
