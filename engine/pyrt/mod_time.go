package pyrt

import (
	"math"
	"time"

	"github.com/go-python/gpython/py"
)

// structTime is time.struct_time: a 9-tuple with tm_* names.
type structTime struct {
	t     time.Time
	isdst int
}

var structTimeType = ready(py.NewType("time.struct_time", "The time value as returned by gmtime(), localtime() and strptime()."))

func (s *structTime) Type() *py.Type { return structTimeType }

func (s *structTime) tuple() py.Tuple {
	t := s.t
	return py.Tuple{py.Int(t.Year()), py.Int(int(t.Month())), py.Int(t.Day()), py.Int(t.Hour()), py.Int(t.Minute()),
		py.Int(t.Second()), py.Int(pyWeekday(t)), py.Int(t.YearDay()), py.Int(s.isdst)}
}

func (s *structTime) M__getitem__(k py.Object) (py.Object, error) { return s.tuple().M__getitem__(k) }
func (s *structTime) M__len__() (py.Object, error)                { return py.Int(9), nil }
func (s *structTime) M__iter__() (py.Object, error)               { return py.NewIterator(s.tuple()), nil }
func (s *structTime) M__repr__() (py.Object, error) {
	t := s.tuple()
	names := []string{"tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst"}
	out := "time.struct_time("
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n + "=" + strString(t[i])
	}
	return py.String(out + ")"), nil
}

func (s *structTime) M__getattr__(name string) (py.Object, error) {
	names := map[string]int{"tm_year": 0, "tm_mon": 1, "tm_mday": 2, "tm_hour": 3, "tm_min": 4, "tm_sec": 5, "tm_wday": 6, "tm_yday": 7, "tm_isdst": 8}
	if i, ok := names[name]; ok {
		return s.tuple()[i], nil
	}
	switch name {
	case "tm_zone":
		n, _ := s.t.Zone()
		return py.String(n), nil
	case "tm_gmtoff":
		_, off := s.t.Zone()
		return py.Int(off), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'time.struct_time' object has no attribute '%s'", name)
}

// timeArg reads a struct_time or a 9-tuple.
func timeArg(o py.Object) (time.Time, error) {
	if s, ok := o.(*structTime); ok {
		return s.t, nil
	}
	items, err := iterate(o)
	if err != nil || len(items) < 6 {
		return time.Time{}, py.ExceptionNewf(py.TypeError, "Tuple or struct_time argument required")
	}
	n := make([]int, 6)
	for i := range n {
		if n[i], err = intArg("time", items[i]); err != nil {
			return time.Time{}, err
		}
	}
	return time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC), nil
}

func secondsArg(args py.Tuple) (time.Time, error) {
	if len(args) == 0 || args[0] == py.None {
		return time.Now(), nil
	}
	f, err := toFloat(args[0])
	if err != nil {
		return time.Time{}, err
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

func init() {
	_, off := time.Now().Zone()
	registerModule("time", "Time access and conversions, backed by Go.", []*py.Method{
		method("time", func(_ py.Object) (py.Object, error) {
			return py.Float(float64(time.Now().UnixNano()) / 1e9), nil
		}),
		method("time_ns", func(_ py.Object) (py.Object, error) { return py.Int(time.Now().UnixNano()), nil }),
		method("monotonic", func(_ py.Object) (py.Object, error) {
			return py.Float(float64(time.Since(processStart)) / 1e9), nil
		}),
		method("perf_counter", func(_ py.Object) (py.Object, error) {
			return py.Float(float64(time.Since(processStart)) / 1e9), nil
		}),
		method("sleep", func(_, o py.Object) (py.Object, error) {
			f, err := toFloat(o)
			if err != nil {
				return nil, err
			}
			if f < 0 {
				return nil, valueError("sleep length must be non-negative")
			}
			time.Sleep(time.Duration(f * 1e9)) // bounded by the node's timeout
			return py.None, nil
		}),
		method("gmtime", func(_ py.Object, args py.Tuple) (py.Object, error) {
			t, err := secondsArg(args)
			if err != nil {
				return nil, err
			}
			return &structTime{t: t.UTC()}, nil
		}),
		method("localtime", func(_ py.Object, args py.Tuple) (py.Object, error) {
			t, err := secondsArg(args)
			if err != nil {
				return nil, err
			}
			return &structTime{t: t.Local()}, nil
		}),
		method("mktime", func(_, o py.Object) (py.Object, error) {
			t, err := timeArg(o)
			if err != nil {
				return nil, err
			}
			l := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.Local)
			return py.Float(float64(l.Unix())), nil
		}),
		method("strftime", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 || len(args) > 2 {
				return nil, py.ExceptionNewf(py.TypeError, "strftime() takes 1 or 2 arguments")
			}
			f, err := strArg("strftime", args[0])
			if err != nil {
				return nil, err
			}
			t := time.Now().Local()
			if len(args) == 2 {
				if t, err = timeArg(args[1]); err != nil {
					return nil, err
				}
			}
			return py.String(strftime(t, f, true)), nil
		}),
		method("strptime", func(_ py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "strptime() takes 2 arguments")
			}
			s, err := strArg("strptime", args[0])
			if err != nil {
				return nil, err
			}
			f, err := strArg("strptime", args[1])
			if err != nil {
				return nil, err
			}
			p, err := strptime(s, f)
			if err != nil {
				return nil, err
			}
			return &structTime{t: time.Date(p.year, time.Month(p.month), p.day, p.hour, p.min, p.sec, 0, time.UTC), isdst: -1}, nil
		}),
	}, py.StringDict{"timezone": py.Int(-off), "struct_time": structTimeType}, "")
}

// processStart anchors monotonic() and perf_counter().
var processStart = time.Now()
