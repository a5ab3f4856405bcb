package pyrt

import (
	"fmt"
	"strings"

	"github.com/go-python/gpython/py"
)

// Error kinds.
const (
	KindSyntax    = "syntax"    // the code does not compile
	KindException = "exception" // the code raised
	KindResult    = "result"    // the function returned something that is not a dict, a list of dicts or None
	KindTimeout   = "timeout"   // the event took longer than the node's timeout
	KindCrash     = "crash"     // the worker died (recursion or memory bomb)
)

// Error is a failure of user code, as data a UI can mark: the line and
// column (1-based, 0 when unknown) and the text of that line.
type Error struct {
	Kind       string `json:"kind"`
	Type       string `json:"type,omitempty"` // Python exception type, e.g. KeyError
	Message    string `json:"message"`
	Line       int    `json:"line,omitempty"`
	Col        int    `json:"col,omitempty"`
	SourceLine string `json:"source_line,omitempty"`
	Traceback  string `json:"traceback,omitempty"`
}

// Error reads like "line 3: KeyError: 'email' (in: return event["email"])".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ", column %d", e.Col)
		}
		b.WriteString(": ")
	}
	if e.Type != "" {
		b.WriteString(e.Type)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.SourceLine != "" {
		fmt.Fprintf(&b, " (in: %s)", e.SourceLine)
	}
	return b.String()
}

// filename is the name compiled code carries, to tell user frames apart.
const filename = "<transform>"

// sourceLine returns line n (1-based) of src, trimmed.
func sourceLine(lines []string, n int) string {
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// syntaxError converts a gpython compile error.
// lineMap, when not nil, gives the user's line of each compiled line.
func syntaxError(err error, lines []string, lineMap []int) *Error {
	e := &Error{Kind: KindSyntax, Type: "SyntaxError", Message: err.Error()}
	if ex, ok := err.(*py.Exception); ok {
		e.Type = ex.Type().Name
		if len(ex.Args.(py.Tuple)) > 0 {
			if s, ok := ex.Args.(py.Tuple)[0].(py.String); ok {
				e.Message = string(s)
			}
		}
		if n, ok := ex.Dict["lineno"].(py.Int); ok {
			e.Line = int(n)
		}
		if n, ok := ex.Dict["offset"].(py.Int); ok {
			e.Col = int(n)
		}
	}
	if e.Line >= 1 && e.Line <= len(lineMap) {
		e.Line = lineMap[e.Line-1]
	}
	e.SourceLine = sourceLine(lines, e.Line)
	return e
}

// exceptionError converts an exception raised by user code, locating the
// innermost frame of the user's code.
func exceptionError(err error, lines []string) *Error {
	e := &Error{Kind: KindException}
	var tb *py.Traceback
	var val py.Object
	switch x := err.(type) {
	case py.ExceptionInfo:
		tb, val = x.Traceback, x.Value
	case *py.ExceptionInfo:
		tb, val = x.Traceback, x.Value
	case *py.Exception:
		val = x
	default:
		e.Type = "Error"
		e.Message = err.Error()
		return e
	}
	if ex, ok := val.(*py.Exception); ok {
		e.Type = ex.Type().Name
		e.Message = exceptionMessage(ex)
		if ex.Type() == py.SyntaxError || ex.Type().IsSubtype(py.SyntaxError) {
			if n, ok := ex.Dict["lineno"].(py.Int); ok {
				e.Line = int(n)
			}
		}
	} else if val != nil {
		e.Type = val.Type().Name
		e.Message = reprString(val)
	}
	var tbb strings.Builder
	for ; tb != nil; tb = tb.Next {
		name := "?"
		if tb.Frame != nil && tb.Frame.Code != nil {
			name = tb.Frame.Code.Name
			if tb.Frame.Code.Filename != filename {
				continue
			}
		}
		e.Line = int(tb.Lineno)
		fmt.Fprintf(&tbb, "  line %d, in %s: %s\n", tb.Lineno, name, sourceLine(lines, int(tb.Lineno)))
	}
	e.Traceback = tbb.String()
	e.SourceLine = sourceLine(lines, e.Line)
	return e
}

// exceptionMessage is str(exc) as CPython prints it.
func exceptionMessage(ex *py.Exception) string {
	args, _ := ex.Args.(py.Tuple)
	switch len(args) {
	case 0:
		return ""
	case 1:
		if ex.Type() == py.KeyError || ex.Type().IsSubtype(py.KeyError) {
			return reprString(args[0])
		}
		return strString(args[0])
	}
	return reprString(args)
}
