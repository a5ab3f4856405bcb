package pyrt

import (
	"fmt"
	"math"

	"github.com/go-python/gpython/py"
)

// registerModule adds a Go-backed module to gpython's module registry (a
// registry of gpython's own; the sandbox's allow list decides who may
// import it). Python source, when given, is compiled here once, so that
// contexts never write to the shared ModuleImpl.
func registerModule(name, doc string, methods []*py.Method, globals py.StringDict, src string) {
	impl := &py.ModuleImpl{Info: py.ModuleInfo{Name: name, Doc: doc}, Methods: methods, Globals: globals}
	if src != "" {
		code, err := py.Compile(src, "<"+name+">", py.ExecMode, 0, true)
		if err != nil {
			panic(fmt.Sprintf("pyrt: module %s does not compile: %v", name, err))
		}
		fixCellArgs(code)
		fixClosureCells(code)
		if err := fixDerefs(code, src); err != nil {
			panic(fmt.Sprintf("pyrt: module %s: %v", name, err))
		}
		impl.Code = code
	}
	py.RegisterModule(impl)
}

// sandboxOf returns the sandbox a module method runs in.
func sandboxOf(self py.Object) *sandbox {
	if m, ok := self.(*py.Module); ok {
		if sb, ok := m.Context.(*sandbox); ok {
			return sb
		}
	}
	return nil
}

func method(name string, fn any) *py.Method { return py.MustNewMethod(name, fn, 0, "") }

func init() {
	registerModule("sys", "A safe subset of sys: no streams, no exit.", nil, py.StringDict{
		"argv":      py.NewList(),
		"path":      py.NewList(),
		"maxsize":   py.Int(math.MaxInt64),
		"version":   py.String("3.11 (gpython in sluice)"),
		"platform":  py.String("sluice"),
		"byteorder": py.String("little"),
	}, "")
}
