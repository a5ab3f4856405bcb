package pyrt

import (
	"strings"

	"github.com/go-python/gpython/py"
)

// ModuleNotFoundError is CPython's exception for an unknown module; gpython
// only has ImportError.
var ModuleNotFoundError = ready(py.ImportError.NewType("ModuleNotFoundError", "Module not found.", nil, nil))

// removedBuiltins reach outside the sandbox.
var removedBuiltins = []string{"open", "input", "help", "breakpoint", "exit", "quit"}

// setupBuiltins imports the builtins module into the sandbox and replaces
// what must not or does not work in gpython.
func (in *Interp) setupBuiltins() error {
	if err := py.Import(in.sb, "builtins"); err != nil {
		return err
	}
	b := in.sb.store.Builtins.Globals
	for _, name := range removedBuiltins {
		delete(b, name)
	}
	b["ModuleNotFoundError"] = ModuleNotFoundError
	b["__import__"] = py.MustNewMethod("__import__", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		return in.sb.importModule(args, kwargs)
	}, 0, "__import__(name, globals=None, locals=None, fromlist=(), level=0) -> module")
	b["print"] = py.MustNewMethod("print", in.print, 0, "print(*args, sep=' ', end='\\n'): write to the node's log")
	for name, m := range extraBuiltins(in) {
		b[name] = m
	}
	return nil
}

// print writes to the per-event log list instead of stdout. One call is
// one log entry (without the final end string).
func (in *Interp) print(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	sep, end := " ", "\n"
	if v, ok := kwargs["sep"]; ok && v != py.None {
		s, ok := v.(py.String)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "sep must be None or a string, not %s", v.Type().Name)
		}
		sep = string(s)
	}
	if v, ok := kwargs["end"]; ok && v != py.None {
		s, ok := v.(py.String)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "end must be None or a string, not %s", v.Type().Name)
		}
		end = string(s)
	}
	var sb strings.Builder
	for i, a := range args {
		if i > 0 {
			sb.WriteString(sep)
		}
		s, err := strOrdered(a, in.order)
		if err != nil {
			return nil, err
		}
		sb.WriteString(s)
	}
	line := sb.String()
	if end != "\n" {
		line += strings.TrimSuffix(end, "\n")
	}
	if len(line) > maxLogLine {
		line = line[:maxLogLine] + "... (cut)"
	}
	if len(in.logs) < maxLogLines {
		in.logs = append(in.logs, line)
	} else if len(in.logs) == maxLogLines {
		in.logs = append(in.logs, "... (more output dropped)")
	}
	return py.None, nil
}

// maxLogLines and maxLogLine bound what one event may log.
const (
	maxLogLines = 1000
	maxLogLine  = 64 << 10
)

// ready finishes a type made after gpython's init: py.NewType only
// queues types for py.TypeMakeReady, which has run by then. Without
// Ready the type has no MRO, so "except ImportError" would not catch a
// ModuleNotFoundError. Type.NewType copies the parent's flags, READY
// included, so that flag is cleared first.
func ready(t *py.Type) *py.Type {
	t.Flags &^= py.TPFLAGS_READY | py.TPFLAGS_READYING
	if err := t.Ready(); err != nil {
		panic("pyrt: type " + t.Name + ": " + err.Error())
	}
	return t
}
