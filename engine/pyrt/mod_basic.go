package pyrt

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"math"
	"strings"

	"github.com/go-python/gpython/py"
)

func init() {
	registerString()
	registerBase64()
	registerHashlib()
	registerUUID()
	registerRandom()
}

func bytesArg(fname string, o py.Object) ([]byte, error) {
	switch x := o.(type) {
	case py.Bytes:
		return []byte(x), nil
	case py.String:
		return []byte(x), nil
	}
	return nil, py.ExceptionNewf(py.TypeError, "%s() argument must be bytes or str, not '%s'", fname, o.Type().Name)
}

// binasciiError is binascii.Error, what base64 raises on bad input.
var binasciiError = ready(py.ValueError.NewType("Error", "binascii error", nil, nil))

func registerString() {
	registerModule("string", "String constants.", nil, py.StringDict{
		"ascii_lowercase": py.String("abcdefghijklmnopqrstuvwxyz"),
		"ascii_uppercase": py.String("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"ascii_letters":   py.String("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"digits":          py.String("0123456789"),
		"hexdigits":       py.String("0123456789abcdefABCDEF"),
		"octdigits":       py.String("01234567"),
		"punctuation":     py.String("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
		"whitespace":      py.String(" \t\n\r\x0b\x0c"),
		"printable":       py.String("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c"),
	}, `
def capwords(s, sep=None):
    return (sep or ' ').join([w.capitalize() for w in s.split(sep)])
`)
}

func registerBase64() {
	enc := func(name string, e *base64.Encoding) *py.Method {
		return method(name, func(_, o py.Object) (py.Object, error) {
			b, err := bytesArg(name, o)
			if err != nil {
				return nil, err
			}
			return py.Bytes(e.EncodeToString(b)), nil
		})
	}
	dec := func(name string, e *base64.Encoding) *py.Method {
		return method(name, func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs(name, args, kwargs, 1, "s", "altchars", "validate")
			if err != nil {
				return nil, err
			}
			b, err := bytesArg(name, a[0])
			if err != nil {
				return nil, err
			}
			s := strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == ' ' {
					return -1
				}
				return r
			}, string(b))
			out, err := e.DecodeString(s)
			if err != nil {
				if len(s)%4 != 0 {
					return nil, py.ExceptionNewf(binasciiError, "Incorrect padding")
				}
				return nil, py.ExceptionNewf(binasciiError, "Invalid base64-encoded string")
			}
			return py.Bytes(out), nil
		})
	}
	registerModule("base64", "Base16, Base32, Base64 encodings.", []*py.Method{
		enc("b64encode", base64.StdEncoding), dec("b64decode", base64.StdEncoding),
		enc("standard_b64encode", base64.StdEncoding), dec("standard_b64decode", base64.StdEncoding),
		enc("urlsafe_b64encode", base64.URLEncoding), dec("urlsafe_b64decode", base64.URLEncoding),
		method("b32encode", func(_, o py.Object) (py.Object, error) {
			b, err := bytesArg("b32encode", o)
			if err != nil {
				return nil, err
			}
			return py.Bytes(base32.StdEncoding.EncodeToString(b)), nil
		}),
		method("b32decode", func(_, o py.Object) (py.Object, error) {
			b, err := bytesArg("b32decode", o)
			if err != nil {
				return nil, err
			}
			out, err := base32.StdEncoding.DecodeString(string(b))
			if err != nil {
				return nil, py.ExceptionNewf(py.ValueError, "invalid base32: %v", err)
			}
			return py.Bytes(out), nil
		}),
		method("b16encode", func(_, o py.Object) (py.Object, error) {
			b, err := bytesArg("b16encode", o)
			if err != nil {
				return nil, err
			}
			return py.Bytes(strings.ToUpper(hex.EncodeToString(b))), nil
		}),
		method("b16decode", func(_, o py.Object) (py.Object, error) {
			b, err := bytesArg("b16decode", o)
			if err != nil {
				return nil, err
			}
			out, err := hex.DecodeString(string(b))
			if err != nil {
				return nil, py.ExceptionNewf(py.ValueError, "Non-base16 digit found")
			}
			return py.Bytes(out), nil
		}),
	}, nil, "")
}

// hashObject is a hashlib or hmac hash.
type hashObject struct {
	name string
	h    hash.Hash
	mk   func() hash.Hash
	key  []byte // for hmac copies
}

var hashType = ready(py.NewType("_hashlib.HASH", "A hash object."))

func (h *hashObject) Type() *py.Type { return hashType }

func (h *hashObject) M__getattr__(name string) (py.Object, error) {
	switch name {
	case "name":
		return py.String(h.name), nil
	case "digest_size":
		return py.Int(h.h.Size()), nil
	case "block_size":
		return py.Int(h.h.BlockSize()), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'%s' object has no attribute '%s'", h.name, name)
}

var hashAlgos = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New,
}

func init() {
	hashType.Dict["update"] = method("update", func(self, o py.Object) (py.Object, error) {
		b, err := bytesArg("update", o)
		if err != nil {
			return nil, err
		}
		self.(*hashObject).h.Write(b)
		return py.None, nil
	})
	hashType.Dict["hexdigest"] = method("hexdigest", func(self py.Object) (py.Object, error) {
		return py.String(hex.EncodeToString(self.(*hashObject).h.Sum(nil))), nil
	})
	hashType.Dict["digest"] = method("digest", func(self py.Object) (py.Object, error) {
		return py.Bytes(self.(*hashObject).h.Sum(nil)), nil
	})
}

func newHash(name string, data py.Object) (py.Object, error) {
	mk, ok := hashAlgos[strings.ToLower(name)]
	if !ok {
		return nil, py.ExceptionNewf(py.ValueError, "unsupported hash type %s", name)
	}
	h := &hashObject{name: strings.ToLower(name), h: mk(), mk: mk}
	if data != nil && data != py.None {
		b, err := bytesArg(name, data)
		if err != nil {
			return nil, err
		}
		h.h.Write(b)
	}
	return h, nil
}

func registerHashlib() {
	var methods []*py.Method
	for name := range hashAlgos {
		methods = append(methods, method(name, func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs(name, args, kwargs, 0, "string", "usedforsecurity")
			if err != nil {
				return nil, err
			}
			return newHash(name, a[0])
		}))
	}
	methods = append(methods, method("new", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("new", args, kwargs, 1, "name", "data")
		if err != nil {
			return nil, err
		}
		n, err := strArg("new", a[0])
		if err != nil {
			return nil, err
		}
		return newHash(n, a[1])
	}))
	algos := py.NewSet()
	for name := range hashAlgos {
		algos.Add(py.String(name))
	}
	registerModule("hashlib", "Secure hashes: md5, sha1, sha224, sha256, sha384, sha512.", methods,
		py.StringDict{"algorithms_available": algos, "algorithms_guaranteed": algos}, "")

	digestmod := func(o py.Object) (string, func() hash.Hash, error) {
		switch x := o.(type) {
		case py.String:
			if mk, ok := hashAlgos[strings.ToLower(string(x))]; ok {
				return strings.ToLower(string(x)), mk, nil
			}
		case *py.Method:
			if mk, ok := hashAlgos[x.Name]; ok {
				return x.Name, mk, nil
			}
		}
		return "", nil, py.ExceptionNewf(py.TypeError, "hmac: unsupported digestmod %s", reprString(o))
	}
	registerModule("hmac", "Keyed hashing (RFC 2104).", []*py.Method{
		method("new", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("new", args, kwargs, 1, "key", "msg", "digestmod")
			if err != nil {
				return nil, err
			}
			key, err := bytesArg("new", a[0])
			if err != nil {
				return nil, err
			}
			if a[2] == nil {
				return nil, py.ExceptionNewf(py.TypeError, "Missing required parameter 'digestmod'.")
			}
			name, mk, err := digestmod(a[2])
			if err != nil {
				return nil, err
			}
			h := &hashObject{name: "hmac-" + name, h: hmac.New(mk, key), key: key}
			if a[1] != nil && a[1] != py.None {
				b, err := bytesArg("new", a[1])
				if err != nil {
					return nil, err
				}
				h.h.Write(b)
			}
			return h, nil
		}),
		method("digest", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("digest", args, kwargs, 3, "key", "msg", "digest")
			if err != nil {
				return nil, err
			}
			key, err := bytesArg("digest", a[0])
			if err != nil {
				return nil, err
			}
			msg, err := bytesArg("digest", a[1])
			if err != nil {
				return nil, err
			}
			_, mk, err := digestmod(a[2])
			if err != nil {
				return nil, err
			}
			h := hmac.New(mk, key)
			h.Write(msg)
			return py.Bytes(h.Sum(nil)), nil
		}),
		method("compare_digest", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "compare_digest expected 2 arguments")
			}
			a, err := bytesArg("compare_digest", args[0])
			if err != nil {
				return nil, err
			}
			b, err := bytesArg("compare_digest", args[1])
			if err != nil {
				return nil, err
			}
			return py.NewBool(subtle.ConstantTimeCompare(a, b) == 1), nil
		}),
	}, nil, "")
}

// uuidObject is a uuid.UUID.
type uuidObject [16]byte

var uuidType = ready(py.NewType("UUID", "A UUID."))

func (u *uuidObject) Type() *py.Type { return uuidType }

func (u *uuidObject) String() string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (u *uuidObject) M__str__() (py.Object, error) { return py.String(u.String()), nil }
func (u *uuidObject) M__repr__() (py.Object, error) {
	return py.String("UUID('" + u.String() + "')"), nil
}
func (u *uuidObject) M__eq__(o py.Object) (py.Object, error) {
	v, ok := o.(*uuidObject)
	return py.NewBool(ok && *u == *v), nil
}
func (u *uuidObject) M__ne__(o py.Object) (py.Object, error) {
	v, ok := o.(*uuidObject)
	return py.NewBool(!ok || *u != *v), nil
}

func (u *uuidObject) M__getattr__(name string) (py.Object, error) {
	switch name {
	case "hex":
		return py.String(hex.EncodeToString(u[:])), nil
	case "bytes":
		return py.Bytes(u[:]), nil
	case "version":
		return py.Int(u[6] >> 4), nil
	case "urn":
		return py.String("urn:uuid:" + u.String()), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'UUID' object has no attribute '%s'", name)
}

func parseUUID(s string) (*uuidObject, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.Trim(s, "{}"), "urn:"), "uuid:")
	s = strings.ReplaceAll(s, "-", "")
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		return nil, py.ExceptionNewf(py.ValueError, "badly formed hexadecimal UUID string")
	}
	var u uuidObject
	copy(u[:], b)
	return &u, nil
}

func nameUUID(ns py.Object, name py.Object, mk func() hash.Hash, version byte) (py.Object, error) {
	nsu, ok := ns.(*uuidObject)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "namespace must be a UUID")
	}
	n, err := bytesArg("uuid", name)
	if err != nil {
		return nil, err
	}
	h := mk()
	h.Write(nsu[:])
	h.Write(n)
	var u uuidObject
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | version<<4
	u[8] = u[8]&0x3f | 0x80
	return &u, nil
}

func registerUUID() {
	uuidType.Dict["__str__"] = method("__str__", func(self py.Object) (py.Object, error) { return self.(*uuidObject).M__str__() })
	mustUUID := func(s string) *uuidObject { u, _ := parseUUID(s); return u }
	registerModule("uuid", "UUID objects (RFC 4122).", []*py.Method{
		method("uuid4", func(_ py.Object) (py.Object, error) {
			var u uuidObject
			if _, err := rand.Read(u[:]); err != nil {
				return nil, py.ExceptionNewf(py.OSError, "random: %v", err)
			}
			u[6] = u[6]&0x0f | 0x40
			u[8] = u[8]&0x3f | 0x80
			return &u, nil
		}),
		method("uuid5", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "uuid5() takes 2 arguments")
			}
			return nameUUID(args[0], args[1], sha1.New, 5)
		}),
		method("uuid3", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "uuid3() takes 2 arguments")
			}
			return nameUUID(args[0], args[1], md5.New, 3)
		}),
		method("UUID", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("UUID", args, kwargs, 0, "hex", "bytes")
			if err != nil {
				return nil, err
			}
			if a[1] != nil {
				b, err := bytesArg("UUID", a[1])
				if err != nil || len(b) != 16 {
					return nil, py.ExceptionNewf(py.ValueError, "bytes is not a 16-char string")
				}
				var u uuidObject
				copy(u[:], b)
				return &u, nil
			}
			if a[0] == nil {
				return nil, py.ExceptionNewf(py.TypeError, "one of the hex, bytes arguments must be given")
			}
			s, err := strArg("UUID", a[0])
			if err != nil {
				return nil, err
			}
			return parseUUID(s)
		}),
	}, py.StringDict{
		"NAMESPACE_DNS":  mustUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
		"NAMESPACE_URL":  mustUUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
		"NAMESPACE_OID":  mustUUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
		"NAMESPACE_X500": mustUUID("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
	}, "")
}

func rngOf(self py.Object) *pyRandom {
	if sb := sandboxOf(self); sb != nil && sb.in != nil {
		return sb.in.rng
	}
	return newRandom(1)
}

func registerRandom() {
	registerModule("random", "Pseudo-random numbers (not CPython's Mersenne Twister: the same seed gives other values).", []*py.Method{
		method("random", func(self py.Object) (py.Object, error) { return py.Float(rngOf(self).r.Float64()), nil }),
		method("seed", func(self py.Object, args py.Tuple) (py.Object, error) {
			var seed int64
			if len(args) > 0 && args[0] != py.None {
				switch x := args[0].(type) {
				case py.Int:
					seed = int64(x)
				default:
					h, err := builtinHash(nil, x)
					if err != nil {
						return nil, err
					}
					seed = int64(h.(py.Int))
				}
			}
			rngOf(self).r.Seed(seed)
			return py.None, nil
		}),
		method("uniform", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "uniform() takes 2 arguments")
			}
			a, err := toFloat(args[0])
			if err != nil {
				return nil, err
			}
			b, err := toFloat(args[1])
			if err != nil {
				return nil, err
			}
			return py.Float(a + (b-a)*rngOf(self).r.Float64()), nil
		}),
		method("randint", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "randint() takes 2 arguments")
			}
			a, err := intArg("randint", args[0])
			if err != nil {
				return nil, err
			}
			b, err := intArg("randint", args[1])
			if err != nil {
				return nil, err
			}
			if b < a {
				return nil, py.ExceptionNewf(py.ValueError, "empty range for randint(%d, %d)", a, b)
			}
			return py.Int(a + rngOf(self).r.Intn(b-a+1)), nil
		}),
		method("randrange", func(self py.Object, args py.Tuple) (py.Object, error) {
			lo, hi, step := 0, 0, 1
			var err error
			switch len(args) {
			case 1:
				hi, err = intArg("randrange", args[0])
			case 2, 3:
				if lo, err = intArg("randrange", args[0]); err == nil {
					hi, err = intArg("randrange", args[1])
				}
				if err == nil && len(args) == 3 {
					step, err = intArg("randrange", args[2])
				}
			default:
				return nil, py.ExceptionNewf(py.TypeError, "randrange() takes 1 to 3 arguments")
			}
			if err != nil {
				return nil, err
			}
			if step == 0 {
				return nil, py.ExceptionNewf(py.ValueError, "zero step for randrange()")
			}
			n := (hi - lo + step - sign(step)) / step
			if n <= 0 {
				return nil, py.ExceptionNewf(py.ValueError, "empty range for randrange()")
			}
			return py.Int(lo + step*rngOf(self).r.Intn(n)), nil
		}),
		method("choice", func(self, seq py.Object) (py.Object, error) {
			items, err := iterate(seq)
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return nil, py.ExceptionNewf(py.IndexError, "Cannot choose from an empty sequence")
			}
			return items[rngOf(self).r.Intn(len(items))], nil
		}),
		method("shuffle", func(self, seq py.Object) (py.Object, error) {
			l, ok := seq.(*py.List)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "shuffle() needs a list")
			}
			rngOf(self).r.Shuffle(len(l.Items), func(i, j int) { l.Items[i], l.Items[j] = l.Items[j], l.Items[i] })
			return py.None, nil
		}),
		method("sample", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("sample", args, kwargs, 2, "population", "k")
			if err != nil {
				return nil, err
			}
			items, err := iterate(a[0])
			if err != nil {
				return nil, err
			}
			k, err := intArg("sample", a[1])
			if err != nil {
				return nil, err
			}
			if k < 0 || k > len(items) {
				return nil, py.ExceptionNewf(py.ValueError, "Sample larger than population or is negative")
			}
			perm := rngOf(self).r.Perm(len(items))
			out := make([]py.Object, k)
			for i := 0; i < k; i++ {
				out[i] = items[perm[i]]
			}
			return py.NewListFromItems(out), nil
		}),
		method("gauss", func(self py.Object, args py.Tuple) (py.Object, error) {
			mu, sigma := 0.0, 1.0
			if len(args) > 0 {
				mu, _ = toFloat(args[0])
			}
			if len(args) > 1 {
				sigma, _ = toFloat(args[1])
			}
			return py.Float(mu + sigma*rngOf(self).r.NormFloat64()), nil
		}),
	}, nil, "")
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

var _ = math.Pi
