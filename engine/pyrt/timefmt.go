package pyrt

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-python/gpython/py"
)

var (
	weekdayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	monthNames   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// pyWeekday is Monday=0 .. Sunday=6.
func pyWeekday(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// strftime formats t as C's strftime with CPython's directives. aware
// says whether %z and %Z have a zone to print (naive datetimes print "").
func strftime(t time.Time, f string, aware bool) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 >= len(f) {
			b.WriteByte(c)
			continue
		}
		i++
		d := f[i]
		if d == '-' && i+1 < len(f) { // %-d: glibc's no padding
			i++
			switch f[i] {
			case 'd':
				b.WriteString(strconv.Itoa(t.Day()))
			case 'm':
				b.WriteString(strconv.Itoa(int(t.Month())))
			case 'H':
				b.WriteString(strconv.Itoa(t.Hour()))
			case 'I':
				h := t.Hour() % 12
				if h == 0 {
					h = 12
				}
				b.WriteString(strconv.Itoa(h))
			case 'M':
				b.WriteString(strconv.Itoa(t.Minute()))
			case 'S':
				b.WriteString(strconv.Itoa(t.Second()))
			case 'j':
				b.WriteString(strconv.Itoa(t.YearDay()))
			case 'y':
				b.WriteString(strconv.Itoa(t.Year() % 100))
			default:
				b.WriteString("%-" + string(f[i]))
			}
			continue
		}
		switch d {
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'a':
			b.WriteString(weekdayNames[pyWeekday(t)][:3])
		case 'A':
			b.WriteString(weekdayNames[pyWeekday(t)])
		case 'b', 'h':
			b.WriteString(monthNames[t.Month()-1][:3])
		case 'B':
			b.WriteString(monthNames[t.Month()-1])
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'u':
			fmt.Fprintf(&b, "%d", pyWeekday(t)+1)
		case 'U':
			fmt.Fprintf(&b, "%02d", (t.YearDay()+6-int(t.Weekday()))/7)
		case 'W':
			fmt.Fprintf(&b, "%02d", (t.YearDay()+6-pyWeekday(t))/7)
		case 'V':
			_, w := t.ISOWeek()
			fmt.Fprintf(&b, "%02d", w)
		case 'G':
			y, _ := t.ISOWeek()
			fmt.Fprintf(&b, "%d", y)
		case 'z':
			if aware {
				_, off := t.Zone()
				b.WriteString(formatOffset(off, ""))
			}
		case 'Z':
			if aware {
				name, off := t.Zone()
				if name == "" {
					name = "UTC" + formatOffset(off, ":")
				}
				b.WriteString(name)
			}
		case 'c':
			b.WriteString(strftime(t, "%a %b %e %H:%M:%S %Y", aware))
		case 'x':
			b.WriteString(strftime(t, "%m/%d/%y", aware))
		case 'X':
			b.WriteString(strftime(t, "%H:%M:%S", aware))
		case 'D':
			b.WriteString(strftime(t, "%m/%d/%y", aware))
		case 'F':
			b.WriteString(strftime(t, "%Y-%m-%d", aware))
		case 'T':
			b.WriteString(strftime(t, "%H:%M:%S", aware))
		case 'R':
			b.WriteString(strftime(t, "%H:%M", aware))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(d)
		}
	}
	return b.String()
}

// formatOffset writes +HHMM (sep "") or +HH:MM, with seconds when any.
func formatOffset(off int, sep string) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := fmt.Sprintf("%s%02d%s%02d", sign, off/3600, sep, off%3600/60)
	if off%60 != 0 {
		s += fmt.Sprintf("%s%02d", sep, off%60)
	}
	return s
}

// parsed is what strptime read.
type parsed struct {
	year, month, day, hour, min, sec, usec int
	pm, hasPM                              bool
	offset                                 int
	hasOffset                              bool
	zoneName                               string
	yday, wday                             int
}

func valueError(format string, args ...any) error {
	return py.ExceptionNewf(py.ValueError, format, args...)
}

// strptime parses s by CPython's directives.
func strptime(s, f string) (parsed, error) {
	p := parsed{year: 1900, month: 1, day: 1, wday: -1}
	orig := s
	fail := func() (parsed, error) {
		return p, valueError("time data %s does not match format %s", quoteString(orig), quoteString(f))
	}
	num := func(min, max int) (int, bool) {
		j := 0
		for j < len(s) && j < max && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < min {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:j])
		s = s[j:]
		return n, true
	}
	name := func(list []string) (int, bool) {
		for i, n := range list {
			if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
				s = s[len(n):]
				return i, true
			}
		}
		for i, n := range list {
			if len(s) >= 3 && strings.EqualFold(s[:3], n[:3]) {
				s = s[3:]
				return i, true
			}
		}
		return 0, false
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			if unicode.IsSpace(rune(c)) {
				s = strings.TrimLeftFunc(s, unicode.IsSpace)
				continue
			}
			if s == "" || s[0] != c {
				return fail()
			}
			s = s[1:]
			continue
		}
		i++
		if i >= len(f) {
			return p, valueError("stray %% in format %s", quoteString(f))
		}
		var ok bool
		switch f[i] {
		case 'Y':
			p.year, ok = num(4, 4)
		case 'y':
			var y int
			if y, ok = num(2, 2); ok {
				if y < 69 {
					p.year = 2000 + y
				} else {
					p.year = 1900 + y
				}
			}
		case 'm':
			p.month, ok = num(1, 2)
		case 'd':
			p.day, ok = num(1, 2)
		case 'H':
			p.hour, ok = num(1, 2)
		case 'I':
			p.hour, ok = num(1, 2)
			p.hasPM = true
		case 'M':
			p.min, ok = num(1, 2)
		case 'S':
			p.sec, ok = num(1, 2)
		case 'f':
			start := s
			var n int
			if n, ok = num(1, 6); ok {
				digits := len(start) - len(s)
				for ; digits < 6; digits++ {
					n *= 10
				}
				p.usec = n
			}
		case 'j':
			p.yday, ok = num(1, 3)
		case 'p':
			if len(s) >= 2 && strings.EqualFold(s[:2], "PM") {
				p.pm, ok = true, true
			} else if len(s) >= 2 && strings.EqualFold(s[:2], "AM") {
				ok = true
			}
			if ok {
				s = s[2:]
			}
		case 'b', 'B', 'h':
			var m int
			if m, ok = name(monthNames); ok {
				p.month = m + 1
			}
		case 'a', 'A':
			p.wday, ok = name(weekdayNames)
		case 'z':
			if strings.HasPrefix(s, "Z") || strings.HasPrefix(s, "z") {
				s = s[1:]
				p.hasOffset, ok = true, true
				break
			}
			if s == "" || (s[0] != '+' && s[0] != '-') {
				break
			}
			sign := 1
			if s[0] == '-' {
				sign = -1
			}
			s = s[1:]
			var h, m, sec int
			if h, ok = num(2, 2); !ok {
				break
			}
			if strings.HasPrefix(s, ":") {
				s = s[1:]
			}
			if m, ok = num(2, 2); !ok {
				break
			}
			if strings.HasPrefix(s, ":") {
				s = s[1:]
				sec, _ = num(2, 2)
			}
			p.offset = sign * (h*3600 + m*60 + sec)
			p.hasOffset = true
		case 'Z':
			j := 0
			for j < len(s) && (unicode.IsLetter(rune(s[j]))) {
				j++
			}
			p.zoneName = s[:j]
			s = s[j:]
			ok = j > 0
			if strings.EqualFold(p.zoneName, "UTC") || strings.EqualFold(p.zoneName, "GMT") {
				p.hasOffset = true
			}
		case '%':
			if strings.HasPrefix(s, "%") {
				s, ok = s[1:], true
			}
		default:
			return p, valueError("'%c' is a bad directive in format %s", f[i], quoteString(f))
		}
		if !ok {
			return fail()
		}
	}
	if s != "" {
		return p, valueError("unconverted data remains: %s", s)
	}
	if p.hasPM {
		if p.hour == 12 {
			p.hour = 0
		}
		if p.pm {
			p.hour += 12
		}
	}
	if p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31 || p.hour > 23 || p.min > 59 || p.sec > 61 {
		return fail()
	}
	if p.yday > 0 {
		t := time.Date(p.year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, p.yday-1)
		p.month, p.day = int(t.Month()), t.Day()
	}
	return p, nil
}

// parseISO parses what datetime.fromisoformat accepts in Python 3.11:
// dates, date-times with T or space, fractions, Z and offsets, and the
// basic (compact) forms.
func parseISO(s string, wantTime bool) (parsed, bool) {
	p := parsed{}
	rest := s
	digits := func(n int) (int, bool) {
		if len(rest) < n {
			return 0, false
		}
		for i := 0; i < n; i++ {
			if rest[i] < '0' || rest[i] > '9' {
				return 0, false
			}
		}
		v, _ := strconv.Atoi(rest[:n])
		rest = rest[n:]
		return v, true
	}
	var ok bool
	if p.year, ok = digits(4); !ok {
		return p, false
	}
	ext := strings.HasPrefix(rest, "-")
	if ext {
		rest = rest[1:]
	}
	if p.month, ok = digits(2); !ok {
		return p, false
	}
	if ext {
		if !strings.HasPrefix(rest, "-") {
			return p, false
		}
		rest = rest[1:]
	}
	if p.day, ok = digits(2); !ok {
		return p, false
	}
	if rest == "" {
		return p, p.month >= 1 && p.month <= 12 && p.day >= 1 && p.day <= 31
	}
	if !wantTime || (rest[0] != 'T' && rest[0] != ' ' && rest[0] != 't') {
		return p, false
	}
	rest = rest[1:]
	if p.hour, ok = digits(2); !ok {
		return p, false
	}
	sep := strings.HasPrefix(rest, ":")
	if sep {
		rest = rest[1:]
	}
	if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		if p.min, ok = digits(2); !ok {
			return p, false
		}
		if sep && strings.HasPrefix(rest, ":") {
			rest = rest[1:]
		}
		if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			if p.sec, ok = digits(2); !ok {
				return p, false
			}
			if strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, ",") {
				rest = rest[1:]
				j := 0
				for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
					j++
				}
				if j == 0 {
					return p, false
				}
				frac := rest[:j]
				rest = rest[j:]
				if len(frac) > 6 {
					frac = frac[:6]
				}
				for len(frac) < 6 {
					frac += "0"
				}
				p.usec, _ = strconv.Atoi(frac)
			}
		}
	}
	switch {
	case rest == "":
	case rest == "Z" || rest == "z":
		p.hasOffset = true
	case rest[0] == '+' || rest[0] == '-':
		sign := 1
		if rest[0] == '-' {
			sign = -1
		}
		rest = rest[1:]
		h, ok := digits(2)
		if !ok {
			return p, false
		}
		if strings.HasPrefix(rest, ":") {
			rest = rest[1:]
		}
		m := 0
		if rest != "" {
			if m, ok = digits(2); !ok {
				return p, false
			}
		}
		sec := 0
		if strings.HasPrefix(rest, ":") {
			rest = rest[1:]
			if sec, ok = digits(2); !ok {
				return p, false
			}
		}
		if rest != "" {
			return p, false
		}
		p.offset = sign * (h*3600 + m*60 + sec)
		p.hasOffset = true
	default:
		return p, false
	}
	if p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31 || p.hour > 24 || p.min > 59 || p.sec > 59 {
		return p, false
	}
	return p, true
}
