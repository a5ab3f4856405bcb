package pyrt

import (
	"fmt"
	"math"
	"strings"
	"time"
	_ "time/tzdata" // zoneinfo works on servers without a tz database

	"github.com/go-python/gpython/py"
)

// The datetime module on Go's time package: datetime, date, timedelta,
// timezone and zoneinfo.ZoneInfo, ISO 8601 parsing and formatting,
// strftime/strptime. A naive datetime is kept as a wall clock in UTC with
// no tzinfo; an aware one carries its zone.

const usPerSec = 1_000_000

var (
	timedeltaType = ready(py.NewType("timedelta", "Difference between two datetimes."))
	tzType        = ready(py.NewType("timezone", "Fixed offset from UTC, or an IANA zone."))
	datetimeType  = ready(py.NewType("datetime", "A date and time."))
	dateType      = ready(py.NewType("date", "A date."))
	timeOfDayType = ready(py.NewType("time", "A time of day."))
)

// --- timedelta

type pyTimedelta struct{ us int64 }

func (d *pyTimedelta) Type() *py.Type { return timedeltaType }

func (d *pyTimedelta) parts() (days, secs, us int64) {
	days = floorDiv(d.us, 86400*usPerSec)
	rem := d.us - days*86400*usPerSec
	return days, rem / usPerSec, rem % usPerSec
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (d *pyTimedelta) M__str__() (py.Object, error) {
	days, secs, us := d.parts()
	s := fmt.Sprintf("%d:%02d:%02d", secs/3600, secs%3600/60, secs%60)
	if us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if days != 0 {
		plural := "s"
		if days == 1 || days == -1 {
			plural = ""
		}
		s = fmt.Sprintf("%d day%s, %s", days, plural, s)
	}
	return py.String(s), nil
}

func (d *pyTimedelta) M__repr__() (py.Object, error) {
	days, secs, us := d.parts()
	var parts []string
	if days != 0 {
		parts = append(parts, fmt.Sprintf("days=%d", days))
	}
	if secs != 0 {
		parts = append(parts, fmt.Sprintf("seconds=%d", secs))
	}
	if us != 0 {
		parts = append(parts, fmt.Sprintf("microseconds=%d", us))
	}
	if len(parts) == 0 {
		parts = []string{"0"}
	}
	return py.String("datetime.timedelta(" + strings.Join(parts, ", ") + ")"), nil
}

func (d *pyTimedelta) M__getattr__(name string) (py.Object, error) {
	days, secs, us := d.parts()
	switch name {
	case "days":
		return py.Int(days), nil
	case "seconds":
		return py.Int(secs), nil
	case "microseconds":
		return py.Int(us), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'datetime.timedelta' object has no attribute '%s'", name)
}

func (d *pyTimedelta) M__add__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *pyTimedelta:
		return &pyTimedelta{d.us + x.us}, nil
	case *pyDatetime, *pyDate:
		return py.Add(x, d)
	}
	return py.NotImplemented, nil
}
func (d *pyTimedelta) M__radd__(o py.Object) (py.Object, error) { return d.M__add__(o) }
func (d *pyTimedelta) M__sub__(o py.Object) (py.Object, error) {
	if x, ok := o.(*pyTimedelta); ok {
		return &pyTimedelta{d.us - x.us}, nil
	}
	return py.NotImplemented, nil
}
func (d *pyTimedelta) M__neg__() (py.Object, error) { return &pyTimedelta{-d.us}, nil }
func (d *pyTimedelta) M__pos__() (py.Object, error) { return d, nil }
func (d *pyTimedelta) M__abs__() (py.Object, error) {
	if d.us < 0 {
		return &pyTimedelta{-d.us}, nil
	}
	return d, nil
}
func (d *pyTimedelta) M__bool__() (py.Object, error) { return py.NewBool(d.us != 0), nil }
func (d *pyTimedelta) M__mul__(o py.Object) (py.Object, error) {
	switch x := boolAsInt(o).(type) {
	case py.Int:
		return &pyTimedelta{d.us * int64(x)}, nil
	case py.Float:
		return &pyTimedelta{int64(math.RoundToEven(float64(d.us) * float64(x)))}, nil
	}
	return py.NotImplemented, nil
}
func (d *pyTimedelta) M__rmul__(o py.Object) (py.Object, error) { return d.M__mul__(o) }
func (d *pyTimedelta) M__truediv__(o py.Object) (py.Object, error) {
	switch x := boolAsInt(o).(type) {
	case *pyTimedelta:
		if x.us == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return py.Float(float64(d.us) / float64(x.us)), nil
	case py.Int:
		if x == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return &pyTimedelta{int64(math.RoundToEven(float64(d.us) / float64(x)))}, nil
	case py.Float:
		if x == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return &pyTimedelta{int64(math.RoundToEven(float64(d.us) / float64(x)))}, nil
	}
	return py.NotImplemented, nil
}
func (d *pyTimedelta) M__floordiv__(o py.Object) (py.Object, error) {
	switch x := boolAsInt(o).(type) {
	case *pyTimedelta:
		if x.us == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return py.Int(floorDiv(d.us, x.us)), nil
	case py.Int:
		if x == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return &pyTimedelta{floorDiv(d.us, int64(x))}, nil
	}
	return py.NotImplemented, nil
}

func cmpResult(c int, op string) py.Object {
	switch op {
	case "lt":
		return py.NewBool(c < 0)
	case "le":
		return py.NewBool(c <= 0)
	case "gt":
		return py.NewBool(c > 0)
	case "ge":
		return py.NewBool(c >= 0)
	case "eq":
		return py.NewBool(c == 0)
	}
	return py.NewBool(c != 0)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (d *pyTimedelta) cmp(o py.Object, op string) (py.Object, error) {
	x, ok := o.(*pyTimedelta)
	if !ok {
		if op == "eq" {
			return py.False, nil
		}
		if op == "ne" {
			return py.True, nil
		}
		return py.NotImplemented, nil
	}
	return cmpResult(cmpInt(d.us, x.us), op), nil
}
func (d *pyTimedelta) M__lt__(o py.Object) (py.Object, error) { return d.cmp(o, "lt") }
func (d *pyTimedelta) M__le__(o py.Object) (py.Object, error) { return d.cmp(o, "le") }
func (d *pyTimedelta) M__gt__(o py.Object) (py.Object, error) { return d.cmp(o, "gt") }
func (d *pyTimedelta) M__ge__(o py.Object) (py.Object, error) { return d.cmp(o, "ge") }
func (d *pyTimedelta) M__eq__(o py.Object) (py.Object, error) { return d.cmp(o, "eq") }
func (d *pyTimedelta) M__ne__(o py.Object) (py.Object, error) { return d.cmp(o, "ne") }

func newTimedelta(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := bindArgs("timedelta", args, kwargs, 0, "days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
	if err != nil {
		return nil, err
	}
	mult := []float64{86400e6, 1e6, 1, 1e3, 60e6, 3600e6, 7 * 86400e6}
	var total int64
	var frac float64
	for i, v := range a {
		if v == nil {
			continue
		}
		switch x := boolAsInt(v).(type) {
		case py.Int:
			total += int64(x) * int64(mult[i])
		case py.Float:
			frac += float64(x) * mult[i]
		default:
			return nil, py.ExceptionNewf(py.TypeError, "unsupported type for timedelta component: %s", v.Type().Name)
		}
	}
	return &pyTimedelta{total + int64(math.RoundToEven(frac))}, nil
}

// --- timezone

type pyTZ struct {
	loc   *time.Location
	fixed bool
	off   int // seconds, when fixed
	name  string
	key   string // IANA key for zoneinfo
}

func (z *pyTZ) Type() *py.Type { return tzType }

var utcTZ = &pyTZ{loc: time.UTC, fixed: true, name: "UTC"}

func fixedTZ(off int, name string) *pyTZ {
	if off == 0 && name == "" {
		return utcTZ
	}
	n := name
	if n == "" {
		n = "UTC" + formatOffset(off, ":")
	}
	return &pyTZ{loc: time.FixedZone(n, off), fixed: true, off: off, name: name}
}

func (z *pyTZ) String() string {
	if z.key != "" {
		return z.key
	}
	if z.name != "" {
		return z.name
	}
	return "UTC" + formatOffset(z.off, ":")
}

func (z *pyTZ) M__str__() (py.Object, error) { return py.String(z.String()), nil }
func (z *pyTZ) M__repr__() (py.Object, error) {
	switch {
	case z == utcTZ:
		return py.String("datetime.timezone.utc"), nil
	case z.key != "":
		return py.String("zoneinfo.ZoneInfo(key='" + z.key + "')"), nil
	}
	td, _ := (&pyTimedelta{int64(z.off) * usPerSec}).M__repr__()
	return py.String("datetime.timezone(" + string(td.(py.String)) + ")"), nil
}
func (z *pyTZ) M__eq__(o py.Object) (py.Object, error) {
	x, ok := o.(*pyTZ)
	return py.NewBool(ok && x.loc.String() == z.loc.String() && x.off == z.off && x.key == z.key), nil
}
func (z *pyTZ) M__getattr__(name string) (py.Object, error) {
	if name == "key" && z.key != "" {
		return py.String(z.key), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'timezone' object has no attribute '%s'", name)
}

// --- datetime

type pyDatetime struct {
	t  time.Time // wall clock; in tz.loc when aware, in UTC when naive
	tz *pyTZ
}

func (d *pyDatetime) Type() *py.Type { return datetimeType }

func newDatetime(t time.Time, tz *pyTZ) *pyDatetime {
	if tz == nil {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000*1000, time.UTC)
	} else {
		t = t.In(tz.loc)
		t = t.Add(-time.Duration(t.Nanosecond() % 1000))
	}
	return &pyDatetime{t: t, tz: tz}
}

func (d *pyDatetime) isoformat(sep, timespec string) string {
	t := d.t
	s := fmt.Sprintf("%04d-%02d-%02d%s%02d", t.Year(), int(t.Month()), t.Day(), sep, t.Hour())
	us := t.Nanosecond() / 1000
	switch timespec {
	case "hours":
	case "minutes":
		s += fmt.Sprintf(":%02d", t.Minute())
	case "seconds":
		s += fmt.Sprintf(":%02d:%02d", t.Minute(), t.Second())
	case "milliseconds":
		s += fmt.Sprintf(":%02d:%02d.%03d", t.Minute(), t.Second(), us/1000)
	case "microseconds":
		s += fmt.Sprintf(":%02d:%02d.%06d", t.Minute(), t.Second(), us)
	default:
		s += fmt.Sprintf(":%02d:%02d", t.Minute(), t.Second())
		if us != 0 {
			s += fmt.Sprintf(".%06d", us)
		}
	}
	if d.tz != nil {
		_, off := t.Zone()
		s += formatOffset(off, ":")
	}
	return s
}

func (d *pyDatetime) M__str__() (py.Object, error) { return py.String(d.isoformat(" ", "auto")), nil }
func (d *pyDatetime) M__repr__() (py.Object, error) {
	t := d.t
	s := fmt.Sprintf("datetime.datetime(%d, %d, %d, %d, %d", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute())
	us := t.Nanosecond() / 1000
	if t.Second() != 0 || us != 0 {
		s += fmt.Sprintf(", %d", t.Second())
	}
	if us != 0 {
		s += fmt.Sprintf(", %d", us)
	}
	if d.tz != nil {
		r, _ := d.tz.M__repr__()
		s += ", tzinfo=" + string(r.(py.String))
	}
	return py.String(s + ")"), nil
}
func (d *pyDatetime) format(spec string) (string, error) {
	return strftime(d.t, spec, d.tz != nil), nil
}

func (d *pyDatetime) M__getattr__(name string) (py.Object, error) {
	t := d.t
	switch name {
	case "year":
		return py.Int(t.Year()), nil
	case "month":
		return py.Int(int(t.Month())), nil
	case "day":
		return py.Int(t.Day()), nil
	case "hour":
		return py.Int(t.Hour()), nil
	case "minute":
		return py.Int(t.Minute()), nil
	case "second":
		return py.Int(t.Second()), nil
	case "microsecond":
		return py.Int(t.Nanosecond() / 1000), nil
	case "tzinfo":
		if d.tz == nil {
			return py.None, nil
		}
		return d.tz, nil
	case "fold":
		return py.Int(0), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'datetime.datetime' object has no attribute '%s'", name)
}

// instant is the absolute time of an aware datetime.
func (d *pyDatetime) M__add__(o py.Object) (py.Object, error) {
	if x, ok := o.(*pyTimedelta); ok {
		if d.tz != nil && !d.tz.fixed {
			// Wall-clock arithmetic in a zone, as CPython does.
			w := time.Date(d.t.Year(), d.t.Month(), d.t.Day(), d.t.Hour(), d.t.Minute(), d.t.Second(), d.t.Nanosecond(), time.UTC)
			w = w.Add(time.Duration(x.us) * time.Microsecond)
			return newDatetime(time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), d.tz.loc), d.tz), nil
		}
		return newDatetime(d.t.Add(time.Duration(x.us)*time.Microsecond), d.tz), nil
	}
	return py.NotImplemented, nil
}
func (d *pyDatetime) M__radd__(o py.Object) (py.Object, error) { return d.M__add__(o) }
func (d *pyDatetime) M__sub__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *pyTimedelta:
		return d.M__add__(&pyTimedelta{-x.us})
	case *pyDatetime:
		if (d.tz == nil) != (x.tz == nil) {
			return nil, py.ExceptionNewf(py.TypeError, "can't subtract offset-naive and offset-aware datetimes")
		}
		if d.tz != nil && d.tz == x.tz {
			// Same tzinfo: CPython ignores the offsets and subtracts the
			// wall clocks (across a DST change too).
			return &pyTimedelta{wall(d.t).Sub(wall(x.t)).Microseconds()}, nil
		}
		return &pyTimedelta{d.t.Sub(x.t).Microseconds()}, nil
	}
	return py.NotImplemented, nil
}

func (d *pyDatetime) cmp(o py.Object, op string) (py.Object, error) {
	x, ok := o.(*pyDatetime)
	if !ok {
		if op == "eq" {
			return py.False, nil
		}
		if op == "ne" {
			return py.True, nil
		}
		return nil, py.ExceptionNewf(py.TypeError, "can't compare datetime.datetime to %s", o.Type().Name)
	}
	if (d.tz == nil) != (x.tz == nil) {
		if op == "eq" {
			return py.False, nil
		}
		if op == "ne" {
			return py.True, nil
		}
		return nil, py.ExceptionNewf(py.TypeError, "can't compare offset-naive and offset-aware datetimes")
	}
	if d.tz != nil && d.tz == x.tz {
		return cmpResult(wall(d.t).Compare(wall(x.t)), op), nil
	}
	return cmpResult(d.t.Compare(x.t), op), nil
}

// wall is the wall clock of t, as a UTC time.
func wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func (d *pyDatetime) M__lt__(o py.Object) (py.Object, error) { return d.cmp(o, "lt") }
func (d *pyDatetime) M__le__(o py.Object) (py.Object, error) { return d.cmp(o, "le") }
func (d *pyDatetime) M__gt__(o py.Object) (py.Object, error) { return d.cmp(o, "gt") }
func (d *pyDatetime) M__ge__(o py.Object) (py.Object, error) { return d.cmp(o, "ge") }
func (d *pyDatetime) M__eq__(o py.Object) (py.Object, error) { return d.cmp(o, "eq") }
func (d *pyDatetime) M__ne__(o py.Object) (py.Object, error) { return d.cmp(o, "ne") }

// --- date

type pyDate struct{ t time.Time }

func (d *pyDate) Type() *py.Type { return dateType }
func newDate(y, m, dd int) *pyDate {
	return &pyDate{time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)}
}
func (d *pyDate) iso() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.t.Year(), int(d.t.Month()), d.t.Day())
}
func (d *pyDate) M__str__() (py.Object, error) { return py.String(d.iso()), nil }
func (d *pyDate) M__repr__() (py.Object, error) {
	return py.String(fmt.Sprintf("datetime.date(%d, %d, %d)", d.t.Year(), int(d.t.Month()), d.t.Day())), nil
}
func (d *pyDate) format(spec string) (string, error) { return strftime(d.t, spec, false), nil }
func (d *pyDate) M__getattr__(name string) (py.Object, error) {
	switch name {
	case "year":
		return py.Int(d.t.Year()), nil
	case "month":
		return py.Int(int(d.t.Month())), nil
	case "day":
		return py.Int(d.t.Day()), nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'datetime.date' object has no attribute '%s'", name)
}
func (d *pyDate) M__add__(o py.Object) (py.Object, error) {
	if x, ok := o.(*pyTimedelta); ok {
		days := floorDiv(x.us, 86400*usPerSec)
		return &pyDate{d.t.AddDate(0, 0, int(days))}, nil
	}
	return py.NotImplemented, nil
}
func (d *pyDate) M__radd__(o py.Object) (py.Object, error) { return d.M__add__(o) }
func (d *pyDate) M__sub__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *pyTimedelta:
		return d.M__add__(&pyTimedelta{-x.us})
	case *pyDate:
		return &pyTimedelta{d.t.Sub(x.t).Microseconds()}, nil
	}
	return py.NotImplemented, nil
}
func (d *pyDate) cmp(o py.Object, op string) (py.Object, error) {
	x, ok := o.(*pyDate)
	if !ok {
		if op == "eq" {
			return py.False, nil
		}
		if op == "ne" {
			return py.True, nil
		}
		return nil, py.ExceptionNewf(py.TypeError, "can't compare datetime.date to %s", o.Type().Name)
	}
	return cmpResult(d.t.Compare(x.t), op), nil
}
func (d *pyDate) M__lt__(o py.Object) (py.Object, error) { return d.cmp(o, "lt") }
func (d *pyDate) M__le__(o py.Object) (py.Object, error) { return d.cmp(o, "le") }
func (d *pyDate) M__gt__(o py.Object) (py.Object, error) { return d.cmp(o, "gt") }
func (d *pyDate) M__ge__(o py.Object) (py.Object, error) { return d.cmp(o, "ge") }
func (d *pyDate) M__eq__(o py.Object) (py.Object, error) { return d.cmp(o, "eq") }
func (d *pyDate) M__ne__(o py.Object) (py.Object, error) { return d.cmp(o, "ne") }

// --- time of day (datetime.time)

type pyTimeOfDay struct {
	h, m, s, us int
	tz          *pyTZ
}

func (t *pyTimeOfDay) Type() *py.Type { return timeOfDayType }
func (t *pyTimeOfDay) iso() string {
	s := fmt.Sprintf("%02d:%02d:%02d", t.h, t.m, t.s)
	if t.us != 0 {
		s += fmt.Sprintf(".%06d", t.us)
	}
	if t.tz != nil {
		s += formatOffset(t.tz.off, ":")
	}
	return s
}
func (t *pyTimeOfDay) M__str__() (py.Object, error) { return py.String(t.iso()), nil }
func (t *pyTimeOfDay) M__repr__() (py.Object, error) {
	return py.String(fmt.Sprintf("datetime.time(%d, %d, %d)", t.h, t.m, t.s)), nil
}
func (t *pyTimeOfDay) M__getattr__(name string) (py.Object, error) {
	switch name {
	case "hour":
		return py.Int(t.h), nil
	case "minute":
		return py.Int(t.m), nil
	case "second":
		return py.Int(t.s), nil
	case "microsecond":
		return py.Int(t.us), nil
	case "tzinfo":
		if t.tz == nil {
			return py.None, nil
		}
		return t.tz, nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'datetime.time' object has no attribute '%s'", name)
}
func (t *pyTimeOfDay) M__eq__(o py.Object) (py.Object, error) {
	x, ok := o.(*pyTimeOfDay)
	return py.NewBool(ok && x.h == t.h && x.m == t.m && x.s == t.s && x.us == t.us), nil
}
func (t *pyTimeOfDay) format(spec string) (string, error) {
	return strftime(time.Date(1900, 1, 1, t.h, t.m, t.s, t.us*1000, time.UTC), spec, false), nil
}

// --- constructors and module

func tzArg(o py.Object) (*pyTZ, error) {
	if o == nil || o == py.None {
		return nil, nil
	}
	z, ok := o.(*pyTZ)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "tzinfo argument must be None or of a tzinfo subclass, not type '%s'", o.Type().Name)
	}
	return z, nil
}

func intsArgs(fname string, a []py.Object, defaults []int) ([]int, error) {
	out := make([]int, len(a))
	for i, v := range a {
		if v == nil {
			if defaults[i] < 0 {
				return nil, py.ExceptionNewf(py.TypeError, "%s() missing required argument %d", fname, i+1)
			}
			out[i] = defaults[i]
			continue
		}
		n, err := intArg(fname, v)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func checkDate(y, m, d int) error {
	if y < 1 || y > 9999 {
		return valueError("year %d is out of range", y)
	}
	if m < 1 || m > 12 {
		return valueError("month must be in 1..12")
	}
	if d < 1 || d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return valueError("day is out of range for month")
	}
	return nil
}

func makeDatetime(y, mo, d, h, mi, s, us int, tz *pyTZ) (*pyDatetime, error) {
	if err := checkDate(y, mo, d); err != nil {
		return nil, err
	}
	if h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || us < 0 || us > 999999 {
		return nil, valueError("hour, minute, second or microsecond out of range")
	}
	loc := time.UTC
	if tz != nil {
		loc = tz.loc
	}
	return &pyDatetime{t: time.Date(y, time.Month(mo), d, h, mi, s, us*1000, loc), tz: tz}, nil
}

func fromParsed(p parsed, forceTZ *pyTZ) (*pyDatetime, error) {
	var tz *pyTZ
	if p.hasOffset {
		tz = fixedTZ(p.offset, "")
	}
	if forceTZ != nil {
		tz = forceTZ
	}
	hour := p.hour
	extraDay := 0
	if hour == 24 { // ISO 8601 end of day
		hour, extraDay = 0, 1
	}
	dt, err := makeDatetime(p.year, p.month, p.day, hour, p.min, p.sec, p.usec, tz)
	if err != nil {
		return nil, err
	}
	if extraDay > 0 {
		dt.t = dt.t.AddDate(0, 0, 1)
	}
	return dt, nil
}

func localTZ() *pyTZ {
	_, off := time.Now().Zone()
	return fixedTZ(off, "")
}

func init() {
	timedeltaType.New = newTimedelta
	timedeltaType.Dict["total_seconds"] = method("total_seconds", func(self py.Object) (py.Object, error) {
		return py.Float(float64(self.(*pyTimedelta).us) / usPerSec), nil
	})
	timedeltaType.Dict["max"] = &pyTimedelta{math.MaxInt64} // int64 microseconds: about 292,000 years, not 999,999,999 days
	timedeltaType.Dict["min"] = &pyTimedelta{math.MinInt64}
	timedeltaType.Dict["resolution"] = &pyTimedelta{1}

	tzType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("timezone", args, kwargs, 1, "offset", "name")
		if err != nil {
			return nil, err
		}
		off, ok := a[0].(*pyTimedelta)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "timezone() argument 1 must be datetime.timedelta")
		}
		if off.us <= -86400*usPerSec || off.us >= 86400*usPerSec {
			return nil, valueError("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)")
		}
		name := ""
		if a[1] != nil {
			if name, err = strArg("timezone", a[1]); err != nil {
				return nil, err
			}
		}
		return fixedTZ(int(off.us/usPerSec), name), nil
	}
	tzType.Dict["utc"] = utcTZ
	tzType.Dict["utcoffset"] = method("utcoffset", func(self py.Object, args py.Tuple) (py.Object, error) {
		z := self.(*pyTZ)
		if z.fixed {
			return &pyTimedelta{int64(z.off) * usPerSec}, nil
		}
		t := time.Now()
		if len(args) > 0 {
			if d, ok := args[0].(*pyDatetime); ok {
				t = d.t
			}
		}
		_, off := t.In(z.loc).Zone()
		return &pyTimedelta{int64(off) * usPerSec}, nil
	})
	tzType.Dict["tzname"] = method("tzname", func(self py.Object, args py.Tuple) (py.Object, error) {
		z := self.(*pyTZ)
		if z.fixed {
			return py.String(z.String()), nil
		}
		t := time.Now()
		if len(args) > 0 {
			if d, ok := args[0].(*pyDatetime); ok {
				t = d.t
			}
		}
		n, _ := t.In(z.loc).Zone()
		return py.String(n), nil
	})

	datetimeType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("datetime", args, kwargs, 3, "year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "fold")
		if err != nil {
			return nil, err
		}
		n, err := intsArgs("datetime", a[:7], []int{-1, -1, -1, 0, 0, 0, 0})
		if err != nil {
			return nil, err
		}
		tz, err := tzArg(a[7])
		if err != nil {
			return nil, err
		}
		return makeDatetime(n[0], n[1], n[2], n[3], n[4], n[5], n[6], tz)
	}
	dt := datetimeType.Dict
	dt["now"] = method("now", func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("now", args, kwargs, 0, "tz")
		if err != nil {
			return nil, err
		}
		tz, err := tzArg(a[0])
		if err != nil {
			return nil, err
		}
		if tz == nil {
			return newDatetime(time.Now(), nil), nil
		}
		return newDatetime(time.Now(), tz), nil
	})
	dt["utcnow"] = method("utcnow", func(_ py.Object) (py.Object, error) { return newDatetime(time.Now().UTC(), nil), nil })
	dt["today"] = dt["now"]
	dt["fromisoformat"] = method("fromisoformat", func(_, o py.Object) (py.Object, error) {
		s, err := strArg("fromisoformat", o)
		if err != nil {
			return nil, err
		}
		p, ok := parseISO(s, true)
		if !ok {
			return nil, valueError("Invalid isoformat string: %s", quoteString(s))
		}
		return fromParsed(p, nil)
	})
	dt["strptime"] = method("strptime", func(_ py.Object, args py.Tuple) (py.Object, error) {
		if len(args) != 2 {
			return nil, py.ExceptionNewf(py.TypeError, "strptime() takes exactly 2 arguments (%d given)", len(args))
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
		return fromParsed(p, nil)
	})
	fromTS := func(utc bool) func(py.Object, py.Tuple, py.StringDict) (py.Object, error) {
		return func(_ py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := bindArgs("fromtimestamp", args, kwargs, 1, "timestamp", "tz")
			if err != nil {
				return nil, err
			}
			f, err := toFloat(a[0])
			if err != nil {
				return nil, err
			}
			sec, frac := math.Modf(f)
			t := time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000)
			tz, err := tzArg(a[1])
			if err != nil {
				return nil, err
			}
			if utc {
				return newDatetime(t.UTC(), nil), nil
			}
			if tz == nil {
				return newDatetime(t.Local(), nil), nil
			}
			return newDatetime(t, tz), nil
		}
	}
	dt["fromtimestamp"] = method("fromtimestamp", fromTS(false))
	dt["utcfromtimestamp"] = method("utcfromtimestamp", fromTS(true))
	dt["combine"] = method("combine", func(_ py.Object, args py.Tuple) (py.Object, error) {
		if len(args) < 2 {
			return nil, py.ExceptionNewf(py.TypeError, "combine() takes a date and a time")
		}
		d, ok1 := args[0].(*pyDate)
		t, ok2 := args[1].(*pyTimeOfDay)
		if !ok1 || !ok2 {
			return nil, py.ExceptionNewf(py.TypeError, "combine() takes a date and a time")
		}
		return makeDatetime(d.t.Year(), int(d.t.Month()), d.t.Day(), t.h, t.m, t.s, t.us, t.tz)
	})
	dt["isoformat"] = method("isoformat", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("isoformat", args, kwargs, 0, "sep", "timespec")
		if err != nil {
			return nil, err
		}
		sep, spec := "T", "auto"
		if a[0] != nil {
			if sep, err = strArg("isoformat", a[0]); err != nil {
				return nil, err
			}
		}
		if a[1] != nil {
			if spec, err = strArg("isoformat", a[1]); err != nil {
				return nil, err
			}
		}
		return py.String(self.(*pyDatetime).isoformat(sep, spec)), nil
	})
	dt["strftime"] = method("strftime", func(self, f py.Object) (py.Object, error) {
		s, err := strArg("strftime", f)
		if err != nil {
			return nil, err
		}
		d := self.(*pyDatetime)
		return py.String(strftime(d.t, s, d.tz != nil)), nil
	})
	dt["__format__"] = method("__format__", func(self, f py.Object) (py.Object, error) {
		s, err := strArg("__format__", f)
		if err != nil {
			return nil, err
		}
		d := self.(*pyDatetime)
		if s == "" {
			return d.M__str__()
		}
		return py.String(strftime(d.t, s, d.tz != nil)), nil
	})
	dt["timestamp"] = method("timestamp", func(self py.Object) (py.Object, error) {
		d := self.(*pyDatetime)
		t := d.t
		if d.tz == nil {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.Local)
		}
		return py.Float(float64(t.UnixMicro()) / usPerSec), nil
	})
	dt["date"] = method("date", func(self py.Object) (py.Object, error) {
		t := self.(*pyDatetime).t
		return newDate(t.Year(), int(t.Month()), t.Day()), nil
	})
	dt["time"] = method("time", func(self py.Object) (py.Object, error) {
		t := self.(*pyDatetime).t
		return &pyTimeOfDay{t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1000, nil}, nil
	})
	dt["weekday"] = method("weekday", func(self py.Object) (py.Object, error) { return py.Int(pyWeekday(self.(*pyDatetime).t)), nil })
	dt["isoweekday"] = method("isoweekday", func(self py.Object) (py.Object, error) {
		return py.Int(pyWeekday(self.(*pyDatetime).t) + 1), nil
	})
	dt["isocalendar"] = method("isocalendar", func(self py.Object) (py.Object, error) {
		t := self.(*pyDatetime).t
		y, w := t.ISOWeek()
		return py.Tuple{py.Int(y), py.Int(w), py.Int(pyWeekday(t) + 1)}, nil
	})
	dt["utcoffset"] = method("utcoffset", func(self py.Object) (py.Object, error) {
		d := self.(*pyDatetime)
		if d.tz == nil {
			return py.None, nil
		}
		_, off := d.t.Zone()
		return &pyTimedelta{int64(off) * usPerSec}, nil
	})
	dt["tzname"] = method("tzname", func(self py.Object) (py.Object, error) {
		d := self.(*pyDatetime)
		if d.tz == nil {
			return py.None, nil
		}
		if d.tz.fixed {
			return py.String(d.tz.String()), nil
		}
		n, _ := d.t.Zone()
		return py.String(n), nil
	})
	dt["astimezone"] = method("astimezone", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("astimezone", args, kwargs, 0, "tz")
		if err != nil {
			return nil, err
		}
		d := self.(*pyDatetime)
		t := d.t
		if d.tz == nil {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.Local)
		}
		tz, err := tzArg(a[0])
		if err != nil {
			return nil, err
		}
		if tz == nil {
			tz = localTZ()
		}
		return newDatetime(t, tz), nil
	})
	dt["replace"] = method("replace", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		d := self.(*pyDatetime)
		t := d.t
		a, err := bindArgs("replace", args, kwargs, 0, "year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "fold")
		if err != nil {
			return nil, err
		}
		n, err := intsArgs("replace", a[:7], []int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1000})
		if err != nil {
			return nil, err
		}
		tz := d.tz
		if _, given := kwargs["tzinfo"]; given || a[7] != nil {
			if tz, err = tzArg(a[7]); err != nil {
				return nil, err
			}
		}
		return makeDatetime(n[0], n[1], n[2], n[3], n[4], n[5], n[6], tz)
	})
	dt["ctime"] = method("ctime", func(self py.Object) (py.Object, error) {
		return py.String(strftime(self.(*pyDatetime).t, "%a %b %e %H:%M:%S %Y", false)), nil
	})
	dt["min"] = &pyDatetime{t: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)}
	dt["max"] = &pyDatetime{t: time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)}

	dateType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("date", args, kwargs, 3, "year", "month", "day")
		if err != nil {
			return nil, err
		}
		n, err := intsArgs("date", a, []int{-1, -1, -1})
		if err != nil {
			return nil, err
		}
		if err := checkDate(n[0], n[1], n[2]); err != nil {
			return nil, err
		}
		return newDate(n[0], n[1], n[2]), nil
	}
	dd := dateType.Dict
	dd["today"] = method("today", func(_ py.Object) (py.Object, error) {
		t := time.Now()
		return newDate(t.Year(), int(t.Month()), t.Day()), nil
	})
	dd["fromisoformat"] = method("fromisoformat", func(_, o py.Object) (py.Object, error) {
		s, err := strArg("fromisoformat", o)
		if err != nil {
			return nil, err
		}
		p, ok := parseISO(s, false)
		if !ok {
			return nil, valueError("Invalid isoformat string: %s", quoteString(s))
		}
		if err := checkDate(p.year, p.month, p.day); err != nil {
			return nil, err
		}
		return newDate(p.year, p.month, p.day), nil
	})
	dd["isoformat"] = method("isoformat", func(self py.Object) (py.Object, error) { return py.String(self.(*pyDate).iso()), nil })
	dd["strftime"] = method("strftime", func(self, f py.Object) (py.Object, error) {
		s, err := strArg("strftime", f)
		if err != nil {
			return nil, err
		}
		return py.String(strftime(self.(*pyDate).t, s, false)), nil
	})
	dd["weekday"] = method("weekday", func(self py.Object) (py.Object, error) { return py.Int(pyWeekday(self.(*pyDate).t)), nil })
	dd["isoweekday"] = method("isoweekday", func(self py.Object) (py.Object, error) { return py.Int(pyWeekday(self.(*pyDate).t) + 1), nil })
	dd["isocalendar"] = method("isocalendar", func(self py.Object) (py.Object, error) {
		t := self.(*pyDate).t
		y, w := t.ISOWeek()
		return py.Tuple{py.Int(y), py.Int(w), py.Int(pyWeekday(t) + 1)}, nil
	})
	dd["replace"] = method("replace", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		t := self.(*pyDate).t
		a, err := bindArgs("replace", args, kwargs, 0, "year", "month", "day")
		if err != nil {
			return nil, err
		}
		n, err := intsArgs("replace", a, []int{t.Year(), int(t.Month()), t.Day()})
		if err != nil {
			return nil, err
		}
		if err := checkDate(n[0], n[1], n[2]); err != nil {
			return nil, err
		}
		return newDate(n[0], n[1], n[2]), nil
	})
	dd["toordinal"] = method("toordinal", func(self py.Object) (py.Object, error) {
		return py.Int(int(self.(*pyDate).t.Sub(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)).Hours()/24) + 1), nil
	})

	timeOfDayType.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := bindArgs("time", args, kwargs, 0, "hour", "minute", "second", "microsecond", "tzinfo")
		if err != nil {
			return nil, err
		}
		n, err := intsArgs("time", a[:4], []int{0, 0, 0, 0})
		if err != nil {
			return nil, err
		}
		tz, err := tzArg(a[4])
		if err != nil {
			return nil, err
		}
		return &pyTimeOfDay{n[0], n[1], n[2], n[3], tz}, nil
	}
	timeOfDayType.Dict["isoformat"] = method("isoformat", func(self py.Object) (py.Object, error) {
		return py.String(self.(*pyTimeOfDay).iso()), nil
	})
	timeOfDayType.Dict["strftime"] = method("strftime", func(self, f py.Object) (py.Object, error) {
		s, err := strArg("strftime", f)
		if err != nil {
			return nil, err
		}
		out, _ := self.(*pyTimeOfDay).format(s)
		return py.String(out), nil
	})

	for _, t := range []*py.Type{timedeltaType, tzType, datetimeType, dateType, timeOfDayType} {
		t.Dict["__name__"] = py.String(t.Name)
	}
	registerModule("datetime", "Dates and times, backed by Go's time package.", nil, py.StringDict{
		"datetime": datetimeType, "date": dateType, "time": timeOfDayType, "timedelta": timedeltaType,
		"timezone": tzType, "tzinfo": tzType, "MINYEAR": py.Int(1), "MAXYEAR": py.Int(9999), "UTC": utcTZ,
	}, "")

	registerModule("zoneinfo", "IANA time zones (the tz database is built into the binary).", []*py.Method{
		method("ZoneInfo", func(self, o py.Object) (py.Object, error) {
			key, err := strArg("ZoneInfo", o)
			if err != nil {
				return nil, err
			}
			// One object per key, as CPython caches them: datetimes with
			// the same tzinfo subtract by wall clock.
			var cache map[string]*pyTZ
			if sb := sandboxOf(self); sb != nil && sb.in != nil {
				if sb.in.zones == nil {
					sb.in.zones = map[string]*pyTZ{}
				}
				cache = sb.in.zones
				if z, ok := cache[key]; ok {
					return z, nil
				}
			}
			if strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
				return nil, valueError("ZoneInfo keys must be normalized relative paths, got: %s", key)
			}
			loc, err := time.LoadLocation(key)
			if err != nil {
				return nil, py.ExceptionNewf(ZoneInfoNotFoundError, "'No time zone found with key %s'", key)
			}
			z := &pyTZ{loc: loc, key: key}
			if cache != nil {
				cache[key] = z
			}
			return z, nil
		}),
	}, py.StringDict{"ZoneInfoNotFoundError": ZoneInfoNotFoundError}, "")
}

// ZoneInfoNotFoundError is zoneinfo's KeyError for unknown zones.
var ZoneInfoNotFoundError = ready(py.KeyError.NewType("ZoneInfoNotFoundError", "No time zone found with this key.", nil, nil))
