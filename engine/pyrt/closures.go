package pyrt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-python/gpython/ast"
	"github.com/go-python/gpython/parser"
	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/symtable"
	"github.com/go-python/gpython/vm"
)

// gpython's compiler numbers a free variable by its place among the free
// variables alone, while a frame keeps its cell variables and then its
// free variables in one array (CPython's compiler counts the cells in).
// In a scope that has both, a free variable is read from a cell. That
// scope is, typically, a comprehension inside a function whose loop
// variable an inner comprehension reads:
//
//	def transform(event):
//	    rows = event["rows"]
//	    return {k: [r for r in rows if r["k"] == k] for k in event["keys"]}
//
// Here the outer comprehension read k where it asked for rows. The
// functions below set the numbers right after compiling, from gpython's
// own symbol table and syntax tree of the same source.

// fixClosureCells corrects the cells gpython's compiler hands to a
// nested function or comprehension. A frame keeps its cell variables,
// then its free variables, in one array, but for a free variable the
// compiler's LOAD_CLOSURE names its position among the free variables
// alone: in a scope that has both (a comprehension inside a function
// whose loop variable an inner comprehension reads, as in
// {k: [r for r in rows if r["k"] == k] for k in keys}), the inner one
// got the loop variable where it asked for rows. Each LOAD_CLOSURE run
// ends in the code object it builds, whose free variables name the
// cells, so the positions can be set right. (A free variable that such
// a scope reads itself, not only passes on, is still misread: LOAD_DEREF
// does not say which list its position is in.)
func fixClosureCells(c *py.Code) {
	for _, k := range c.Consts {
		if nested, ok := k.(*py.Code); ok {
			fixClosureCells(nested)
		}
	}
	if len(c.Cellvars) == 0 || len(c.Freevars) == 0 {
		return
	}
	code := []byte(c.Code)
	var run []int // positions of a run of LOAD_CLOSURE
	changed := false
	for pc := 0; pc < len(code); {
		op := vm.OpCode(code[pc])
		if op < vm.HAVE_ARGUMENT || pc+2 >= len(code) {
			run = run[:0]
			pc++
			continue
		}
		arg := int(code[pc+1]) | int(code[pc+2])<<8
		switch {
		case op == vm.LOAD_CLOSURE:
			run = append(run, pc)
		case op == vm.BUILD_TUPLE && len(run) == arg && arg > 0:
			// The code object comes next: LOAD_CONST.
			if next := pc + 3; next+2 < len(code) && vm.OpCode(code[next]) == vm.LOAD_CONST {
				ci := int(code[next+1]) | int(code[next+2])<<8
				if child, ok := c.Consts[ci].(*py.Code); ok && len(child.Freevars) == len(run) {
					for i, at := range run {
						slot := cellSlot(c, child.Freevars[i])
						if slot >= 0 && slot <= 0xffff {
							code[at+1], code[at+2] = byte(slot), byte(slot>>8)
							changed = true
						}
					}
				}
			}
			run = run[:0]
		default:
			run = run[:0]
		}
		pc += 3
	}
	if changed {
		c.Code = string(code)
	}
}

// fixDerefs corrects LOAD_DEREF, STORE_DEREF and DELETE_DEREF in scopes
// that have cell and free variables both: the compiler gives a free
// variable its position among the free variables alone, so the same
// number can name a cell or a free variable. The symbol table of the
// scope (gpython's own, from the same source) tells which of the two the
// scope reads, or assigns; where it does both to a pair that shares a
// number the code is refused with an error that says where, rather than
// run with one variable read for the other.
func fixDerefs(c *py.Code, src string) *Error {
	if !hasCellsAndFrees(c) {
		return nil
	}
	mod, err := parser.ParseString(src, py.ExecMode)
	if err != nil {
		return nil // it compiled: cannot happen; leave the code as it is
	}
	st, err := symtable.NewSymTable(mod, filename)
	if err != nil {
		return nil
	}
	nodes := map[*symtable.SymTable]ast.Ast{}
	var index func(*symtable.SymTable)
	index = func(t *symtable.SymTable) {
		for a, child := range t.LookupChild {
			nodes[child] = a
		}
		for _, child := range t.Children {
			index(child)
		}
	}
	index(st)
	return fixDerefsIn(c, st, nodes)
}

func hasCellsAndFrees(c *py.Code) bool {
	if len(c.Cellvars) > 0 && len(c.Freevars) > 0 {
		return true
	}
	for _, k := range c.Consts {
		if nested, ok := k.(*py.Code); ok && hasCellsAndFrees(nested) {
			return true
		}
	}
	return false
}

func fixDerefsIn(c *py.Code, st *symtable.SymTable, nodes map[*symtable.SymTable]ast.Ast) *Error {
	used := map[*symtable.SymTable]bool{}
	for _, k := range c.Consts {
		child, ok := k.(*py.Code)
		if !ok {
			continue
		}
		for _, sc := range st.Children {
			if !used[sc] && sameScope(child, sc) {
				used[sc] = true
				if err := fixDerefsIn(child, sc, nodes); err != nil {
					return err
				}
				break
			}
		}
	}
	if len(c.Cellvars) == 0 || len(c.Freevars) == 0 {
		return nil
	}
	uses := usesOf(nodes[st])
	windows := iterWindows(c)
	code := []byte(c.Code)
	for pc := 0; pc+2 < len(code); pc += 3 {
		op := vm.OpCode(code[pc])
		if op < vm.HAVE_ARGUMENT {
			pc -= 2
			continue
		}
		if op != vm.LOAD_DEREF && op != vm.LOAD_CLASSDEREF && op != vm.STORE_DEREF && op != vm.DELETE_DEREF {
			continue
		}
		i := int(code[pc+1]) | int(code[pc+2])<<8
		if i >= len(c.Freevars) {
			continue // only a cell has this number
		}
		free := i >= len(c.Cellvars) // only a free variable has it
		if !free {
			cellName, freeName := c.Cellvars[i], c.Freevars[i]
			cell, fr := st.Symbols[cellName].Flags, st.Symbols[freeName].Flags
			var cellHit, freeHit bool
			if op == vm.LOAD_DEREF || op == vm.LOAD_CLASSDEREF {
				// Which names this scope reads where: inside the first
				// iterable of a nested comprehension (compiled between
				// its MAKE_CLOSURE and GET_ITER) or elsewhere.
				where := uses.other
				if windows[pc] {
					where = uses.iter
				}
				cellHit, freeHit = where[cellName], where[freeName]
				if uses.iter == nil { // no syntax tree: by the flags alone
					cellHit, freeHit = cell&symtable.DefUse != 0, fr&symtable.DefUse != 0
				}
			} else {
				cellHit, freeHit = cell&symtable.DefBound != 0, fr&symtable.DefNonlocal != 0
			}
			if cellHit == freeHit {
				if !cellHit {
					continue
				}
				line := int(c.Firstlineno)
				if n, ok := nodes[st].(interface{ GetLineno() int }); ok && n.GetLineno() > 0 {
					line = n.GetLineno()
				}
				return &Error{Kind: KindSyntax, Type: "SyntaxError", Line: line,
					Message: fmt.Sprintf("gpython cannot compile %s: it reads %q of an enclosing function and its own %q in the same place; pass %q in as an argument of a helper function",
						scopeWhat(c), freeName, cellName, freeName)}
			}
			free = freeHit
		}
		if free {
			slot := len(c.Cellvars) + i
			code[pc+1], code[pc+2] = byte(slot), byte(slot>>8)
		}
	}
	c.Code = string(code)
	return nil
}

// sameScope reports whether code object c was compiled from symbol table
// st: the same kind and name, cells and free variables. (gpython's
// symbol tables carry no line numbers; among siblings that agree on all
// of these, which one is taken does not matter to fixDerefsIn.)
func sameScope(c *py.Code, st *symtable.SymTable) bool {
	if strings.TrimSuffix(strings.TrimPrefix(c.Name, "<"), ">") != st.Name {
		return false
	}
	return slices.Equal(c.Cellvars, st.Find(symtable.ScopeCell, 0)) &&
		slices.Equal(c.Freevars, st.Find(symtable.ScopeFree, symtable.DefFreeClass))
}

func scopeWhat(c *py.Code) string {
	switch c.Name {
	case "<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>":
		return "this comprehension"
	case "<lambda>":
		return "this lambda"
	}
	return "function " + c.Name
}

// cellSlot is the position of name in a frame's cells-then-frees array.
func cellSlot(c *py.Code, name string) int {
	for i, n := range c.Cellvars {
		if n == name {
			return i
		}
	}
	for i, n := range c.Freevars {
		if n == name {
			return len(c.Cellvars) + i
		}
	}
	return -1
}

// scopeUses are the names a scope reads itself: iter, those in the first
// iterable of a comprehension nested in it (evaluated in this scope); other,
// the rest. Both nil without a syntax tree.
type scopeUses struct{ iter, other map[string]bool }

func usesOf(node ast.Ast) scopeUses {
	u := scopeUses{iter: map[string]bool{}, other: map[string]bool{}}
	var visit func(n ast.Ast, into map[string]bool)
	visit = func(n ast.Ast, into map[string]bool) {
		ast.Walk(n, func(a ast.Ast) bool {
			switch x := a.(type) {
			case *ast.Name:
				if x.Ctx == ast.Load || x.Ctx == ast.AugLoad {
					into[string(x.Id)] = true
				}
			case *ast.ListComp, *ast.SetComp, *ast.DictComp, *ast.GeneratorExp:
				visit(generators(x)[0].Iter, u.iter)
				return false
			case *ast.Lambda:
				visitArgs(x.Args, into, visit)
				return false
			case *ast.FunctionDef:
				visitArgs(x.Args, into, visit)
				for _, d := range x.DecoratorList {
					visit(d, into)
				}
				return false
			case *ast.ClassDef:
				return false
			}
			return true
		})
	}
	comp := func(gens []ast.Comprehension, elts ...ast.Expr) {
		for i, g := range gens {
			visit(g.Target, u.other)
			if i > 0 { // the first iterable belongs to the enclosing scope
				visit(g.Iter, u.other)
			}
			for _, e := range g.Ifs {
				visit(e, u.other)
			}
		}
		for _, e := range elts {
			visit(e, u.other)
		}
	}
	switch x := node.(type) {
	case *ast.ListComp:
		comp(x.Generators, x.Elt)
	case *ast.SetComp:
		comp(x.Generators, x.Elt)
	case *ast.DictComp:
		comp(x.Generators, x.Key, x.Value)
	case *ast.GeneratorExp:
		comp(x.Generators, x.Elt)
	case *ast.Lambda:
		visit(x.Body, u.other)
	case *ast.FunctionDef:
		for _, s := range x.Body {
			visit(s, u.other)
		}
	default:
		return scopeUses{}
	}
	return u
}

// generators returns the for clauses of a comprehension node.
func generators(a ast.Ast) []ast.Comprehension {
	switch x := a.(type) {
	case *ast.ListComp:
		return x.Generators
	case *ast.SetComp:
		return x.Generators
	case *ast.DictComp:
		return x.Generators
	case *ast.GeneratorExp:
		return x.Generators
	}
	return nil
}

func visitArgs(a *ast.Arguments, into map[string]bool, visit func(ast.Ast, map[string]bool)) {
	if a == nil {
		return
	}
	for _, e := range a.Defaults {
		visit(e, into)
	}
	for _, e := range a.KwDefaults {
		visit(e, into)
	}
}

// iterWindows marks the instructions of c that compute the first iterable
// of a nested comprehension: from the MAKE_CLOSURE or MAKE_FUNCTION of
// the comprehension's code to the GET_ITER that CALL_FUNCTION 1 follows.
func iterWindows(c *py.Code) map[int]bool {
	in := map[int]bool{}
	code := c.Code
	depth := 0
	var consts []int // args of the recent LOAD_CONSTs
	for pc := 0; pc < len(code); {
		op := vm.OpCode(code[pc])
		if op < vm.HAVE_ARGUMENT || pc+2 >= len(code) {
			if op == vm.GET_ITER && depth > 0 && pc+3 < len(code) && vm.OpCode(code[pc+1]) == vm.CALL_FUNCTION &&
				int(code[pc+2])|int(code[pc+3])<<8 == 1 {
				depth--
			}
			pc++
			continue
		}
		arg := int(code[pc+1]) | int(code[pc+2])<<8
		if depth > 0 {
			in[pc] = true
		}
		switch op {
		case vm.LOAD_CONST:
			consts = append(consts, arg)
		case vm.MAKE_CLOSURE, vm.MAKE_FUNCTION:
			if len(consts) >= 2 {
				if child, ok := c.Consts[consts[len(consts)-2]].(*py.Code); ok {
					switch child.Name {
					case "<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>":
						depth++
					}
				}
			}
		}
		if op != vm.LOAD_CONST {
			consts = consts[:0]
		}
		pc += 3
	}
	return in
}
