package pyrt

import "github.com/go-python/gpython/py"

// csv and io.StringIO, for transforms that get CSV text in a field. The
// parsing and quoting rules are CPython's (the "excel" dialect: quotes
// doubled inside quoted fields, fields may span lines, \r\n after each
// written row). DictReader's rows keep the columns' order.
func init() {
	registerModule("io", "StringIO, an in-memory text file.", nil, nil, `
class StringIO:
    def __init__(self, initial_value="", newline="\n"):
        self._buf = initial_value or ""
        self._pos = 0
    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("string argument expected, got '%s'" % type(s).__name__)
        self._buf = self._buf[:self._pos] + s + self._buf[self._pos + len(s):]
        self._pos += len(s)
        return len(s)
    def writelines(self, lines):
        for line in lines:
            self.write(line)
    def getvalue(self):
        return self._buf
    def read(self, size=-1):
        if size is None or size < 0:
            out = self._buf[self._pos:]
        else:
            out = self._buf[self._pos:self._pos + size]
        self._pos += len(out)
        return out
    def readline(self):
        i = self._buf.find("\n", self._pos)
        end = len(self._buf) if i < 0 else i + 1
        out = self._buf[self._pos:end]
        self._pos = end
        return out
    def readlines(self):
        out = []
        while True:
            line = self.readline()
            if not line:
                return out
            out.append(line)
    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line
    def seek(self, pos, whence=0):
        self._pos = pos
        return pos
    def tell(self):
        return self._pos
    def close(self):
        pass
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
`)

	registerModule("csv", "CSV reading and writing (the excel dialect).", []*py.Method{
		// _row(keys, values) is a dict of the pairs that keeps their order.
		method("_row", func(self py.Object, args py.Tuple) (py.Object, error) {
			keys, ok1 := args[0].(*py.List)
			vals, ok2 := args[1].(*py.List)
			if len(args) != 2 || !ok1 || !ok2 {
				return nil, py.ExceptionNewf(py.TypeError, "_row(keys, values)")
			}
			d := py.NewStringDictSized(len(keys.Items))
			var order []string
			for i, k := range keys.Items {
				ks, err := encodeKey(k)
				if err != nil {
					return nil, err
				}
				if _, dup := d[ks]; !dup {
					order = append(order, ks)
				}
				d[ks] = vals.Items[i]
			}
			if o := orderOf(self); o != nil {
				o.set(d, order)
			}
			return d, nil
		}),
	}, nil, `
QUOTE_MINIMAL, QUOTE_ALL, QUOTE_NONNUMERIC, QUOTE_NONE = 0, 1, 2, 3

class Error(Exception):
    pass

def reader(csvfile, delimiter=",", quotechar='"', skipinitialspace=False, quoting=QUOTE_MINIMAL, **kwargs):
    if isinstance(csvfile, str):
        csvfile = [csvfile]
    row, field, inq, quoted = [], [], False, False
    for line in csvfile:
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if inq:
                if c == quotechar:
                    if i + 1 < n and line[i + 1] == quotechar:
                        field.append(quotechar)
                        i += 2
                        continue
                    inq = False
                else:
                    field.append(c)
                i += 1
                continue
            if c == quotechar and not field and quoting != QUOTE_NONE:
                inq, quoted = True, True
            elif c == delimiter:
                row.append("".join(field))
                field, quoted = [], False
                if skipinitialspace:
                    while i + 1 < n and line[i + 1] == " ":
                        i += 1
            elif c == "\r" or c == "\n":
                if c == "\r" and i + 1 < n and line[i + 1] == "\n":
                    i += 1
                if row or field or quoted:
                    row.append("".join(field))
                yield row
                row, field, quoted = [], [], False
            else:
                field.append(c)
            i += 1
        if inq:
            continue
        if n == 0 and not row and not field and not quoted:
            yield []
        elif n == 0 or line[n - 1] not in "\r\n":
            row.append("".join(field))
            yield row
            row, field, quoted = [], [], False
    if inq:
        raise Error("unexpected end of data")
    if row or field or quoted:
        row.append("".join(field))
        yield row

class DictReader:
    def __init__(self, f, fieldnames=None, restkey=None, restval=None, **kwargs):
        self._rows = reader(f, **kwargs)
        self._fieldnames = fieldnames
        self.restkey = restkey
        self.restval = restval
        self.line_num = 0
        self._it = None
    @property
    def fieldnames(self):
        if self._fieldnames is None:
            try:
                self._fieldnames = next(self._rows)
            except StopIteration:
                pass
        return self._fieldnames
    def __iter__(self):
        names = self.fieldnames
        if names is None:
            return
        for row in self._rows:
            if row == []:
                continue
            self.line_num += 1
            keys, vals = list(names), list(row[:len(names)])
            if len(row) > len(names):
                keys.append(self.restkey)
                vals.append(row[len(names):])
            while len(vals) < len(keys):
                vals.append(self.restval)
            yield _row(keys, vals)
    def __next__(self):
        if self._it is None:
            self._it = self.__iter__()
        return next(self._it)

class writer:
    def __init__(self, f, delimiter=",", quotechar='"', quoting=QUOTE_MINIMAL, lineterminator="\r\n", **kwargs):
        self._f = f
        self._d = delimiter
        self._q = quotechar
        self._quoting = quoting
        self._lt = lineterminator
    def _field(self, v):
        if v is None:
            s = ""
        elif isinstance(v, float):
            s = repr(v)
        else:
            s = str(v)
        need = self._quoting == QUOTE_ALL or (self._quoting == QUOTE_NONNUMERIC and not isinstance(v, (int, float)))
        if not need and self._quoting != QUOTE_NONE:
            need = self._d in s or self._q in s or "\r" in s or "\n" in s
        if need:
            return self._q + s.replace(self._q, self._q + self._q) + self._q
        return s
    def writerow(self, row):
        line = self._d.join([self._field(v) for v in row]) + self._lt
        return self._f.write(line)
    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

class DictWriter:
    def __init__(self, f, fieldnames, restval="", extrasaction="raise", **kwargs):
        self.fieldnames = list(fieldnames)
        self.restval = restval
        self.extrasaction = extrasaction
        self.writer = writer(f, **kwargs)
    def writeheader(self):
        return self.writer.writerow(self.fieldnames)
    def writerow(self, rowdict):
        if self.extrasaction == "raise":
            extra = [k for k in rowdict if k not in self.fieldnames]
            if extra:
                raise ValueError("dict contains fields not in fieldnames: " + ", ".join([repr(k) for k in extra]))
        return self.writer.writerow([rowdict.get(k, self.restval) for k in self.fieldnames])
    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
`)
}
