package pyrt

import (
	"strings"

	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"

	// The compiler sets py.Compile; builtins, math and binascii are the
	// only gpython modules a transform may reach. gpython's stdlib package
	// is deliberately not imported: it registers os, glob, tempfile and a
	// context that reads .py files from disk.
	_ "github.com/go-python/gpython/compile"
	_ "github.com/go-python/gpython/stdlib/builtin"
	_ "github.com/go-python/gpython/stdlib/math"
)

// sandbox is a py.Context that imports only allowed, embedded modules and
// never reads code from disk. gpython's own context (stdlib.NewContext)
// resolves imports through sys.path on the file system, so it is not used.
type sandbox struct {
	store *py.ModuleStore
	done  chan struct{}
	in    *Interp
}

var _ py.Context = (*sandbox)(nil)

// allowedModules are the modules a transform may import. Anything else
// raises ModuleNotFoundError, like a module CPython cannot find.
var allowedModules = map[string]bool{
	"builtins": true, "math": true, "json": true, "re": true, "datetime": true,
	"time": true, "hashlib": true, "hmac": true, "base64": true, "uuid": true,
	"random": true, "collections": true, "string": true, "sys": true,
	"itertools": true, "functools": true, "operator": true, "typing": true, "unicodedata": true, "csv": true, "io": true, "logging": true, "copy": true, "urllib": true, "urllib.parse": true, "html": true,
	"statistics": true,
	"zoneinfo":   true,
}

func (s *sandbox) ResolveAndCompile(pathname string, _ py.CompileOpts) (py.CompileOut, error) {
	return py.CompileOut{}, moduleNotFound(pathname)
}

func moduleNotFound(name string) error {
	return py.ExceptionNewf(ModuleNotFoundError, "No module named '%s'", name)
}

func (s *sandbox) ModuleInit(impl *py.ModuleImpl) (*py.Module, error) {
	if !allowedModules[impl.Info.Name] {
		return nil, moduleNotFound(impl.Info.Name)
	}
	// Modules with Python source are compiled once at registration (see
	// registerModule), never here: ModuleImpl is shared by every context.
	m, err := s.store.NewModule(s, impl)
	if err != nil {
		return nil, err
	}
	if impl.Code != nil {
		if _, err := s.RunCode(impl.Code, m.Globals, m.Globals, nil); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (s *sandbox) RunCode(code *py.Code, globals, locals py.StringDict, closure py.Tuple) (py.Object, error) {
	return vm.EvalCode(s, code, globals, locals, nil, nil, nil, nil, closure)
}

func (s *sandbox) GetModule(name string) (*py.Module, error) { return s.store.GetModule(name) }
func (s *sandbox) Store() *py.ModuleStore                    { return s.store }
func (s *sandbox) Done() <-chan struct{}                     { return s.done }

func (s *sandbox) Close() error {
	select {
	case <-s.done:
	default:
		s.store.OnContextClosed()
		close(s.done)
	}
	return nil
}

// importModule is the sandbox's __import__: only allowed modules, never
// a file. from-imports of a dotted name return the leaf module.
func (s *sandbox) importModule(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) == 0 {
		return nil, py.ExceptionNewf(py.TypeError, "__import__() missing required argument 'name'")
	}
	name, ok := args[0].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "__import__() argument 1 must be str")
	}
	if len(args) > 4 {
		if lvl, ok := args[4].(py.Int); ok && lvl != 0 {
			return nil, py.ExceptionNewf(py.ImportError, "attempted relative import with no known parent package")
		}
	}
	if !allowedModules[string(name)] {
		return nil, moduleNotFound(string(name))
	}
	m, err := s.load(string(name))
	if err != nil {
		return nil, err
	}
	// "from urllib import parse": load the submodules named in the
	// from-list, as CPython's import system does.
	if len(args) > 3 {
		if fl, err := iterate(args[3]); err == nil {
			for _, f := range fl {
				if sub, ok := f.(py.String); ok && allowedModules[string(name)+"."+string(sub)] {
					if _, err := s.load(string(name) + "." + string(sub)); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return s.topModule(string(name), m, args)
}

// load returns the module, initialising it (and binding it as an
// attribute of its parent package) the first time.
func (s *sandbox) load(name string) (*py.Module, error) {
	if m, err := s.store.GetModule(name); err == nil {
		return m, nil
	}
	impl := py.GetModuleImpl(name)
	if impl == nil {
		return nil, moduleNotFound(name)
	}
	m, err := s.ModuleInit(impl)
	if err != nil {
		return nil, err
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		parent, err := s.load(name[:i])
		if err != nil {
			return nil, err
		}
		parent.Globals[name[i+1:]] = m
	}
	return m, nil
}

// topModule returns what "import a.b" binds: the package a, unless a
// from-list was given.
func (s *sandbox) topModule(name string, m *py.Module, args py.Tuple) (py.Object, error) {
	if len(args) > 3 {
		if fl, ok := args[3].(py.Tuple); ok && len(fl) > 0 {
			return m, nil
		}
		if fl, ok := args[3].(*py.List); ok && len(fl.Items) > 0 {
			return m, nil
		}
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			top, err := s.importModule(py.Tuple{py.String(name[:i])}, nil)
			if err != nil {
				return nil, err
			}
			return top, nil
		}
	}
	return m, nil
}
