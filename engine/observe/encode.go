package observe

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sluice-etl/sluice/engine/event"
)

// appendStep appends the JSON of s to b: the same document encoding/json
// makes of a Step (it decodes into an equal Step), written by hand
// because the trace writer encodes every step of every event and
// reflection was most of its cost. Without full, the fields a step's key
// holds (event, node, status) are left out.
func appendStep(b []byte, s *Step, full bool) []byte {
	b = append(b, `{"kind":`...)
	b = appendString(b, string(s.Kind))
	b = append(b, `,"at":`...)
	b = appendTime(b, s.At)
	if full {
		b = append(b, `,"event":`...)
		b = appendString(b, s.Event)
		b = append(b, `,"node":`...)
		b = appendString(b, s.Node)
		b = append(b, `,"status":`...)
		b = appendString(b, string(s.Status))
	}
	if s.Took != 0 {
		b = append(b, `,"took":`...)
		b = appendString(b, time.Duration(s.Took).String())
	}
	b = appendStringField(b, "error", s.Error)
	b = appendStringField(b, "source", s.Source)
	if !s.ReceivedAt.IsZero() {
		b = append(b, `,"received_at":`...)
		b = appendTime(b, s.ReceivedAt)
	}
	if s.Meta != nil {
		b = append(b, `,"meta":`...)
		b = appendMeta(b, s.Meta)
	}
	if s.Body != nil {
		b = append(b, `,"body":`...)
		b = appendPayload(b, s.Body)
	}
	if s.Input != nil {
		b = append(b, `,"input":`...)
		b = appendPayload(b, s.Input)
	}
	if s.SameInput {
		b = append(b, `,"same_input":true`...)
	}
	if len(s.Outputs) > 0 {
		b = append(b, `,"outputs":[`...)
		for i, o := range s.Outputs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendString(b, o.ID)
			b = appendStringField(b, "route", o.Route)
			if o.Body != nil {
				b = append(b, `,"body":`...)
				b = appendPayload(b, o.Body)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(s.Logs) > 0 {
		b = append(b, `,"logs":[`...)
		for i, l := range s.Logs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, l)
		}
		b = append(b, ']')
	}
	if s.Attempt != 0 {
		b = append(b, `,"attempt":`...)
		b = strconv.AppendInt(b, int64(s.Attempt), 10)
	}
	b = appendStringField(b, "request", s.Request)
	if s.Code != 0 {
		b = append(b, `,"code":`...)
		b = strconv.AppendInt(b, int64(s.Code), 10)
	}
	b = appendStringField(b, "response", s.Response)
	if !s.Next.IsZero() {
		b = append(b, `,"next":`...)
		b = appendTime(b, s.Next)
	}
	b = appendStringField(b, "reason", s.Reason)
	return append(b, '}')
}

func appendStringField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendPayload(b []byte, p *Payload) []byte {
	b = append(b, `{"data":`...)
	switch {
	case len(p.Data) == 0:
		b = append(b, "null"...)
	case looksJSON(p.Data):
		// Bodies are JSON by contract; a full check of every body
		// would be most of the writer's work. Trace copes with a step
		// that does not decode.
		b = append(b, p.Data...)
	default:
		// Not JSON after all: keep it as text.
		b = appendString(b, string(p.Data))
	}
	if p.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, int64(p.Size), 10)
	return append(b, '}')
}

func appendMeta(b []byte, m *event.Meta) []byte {
	b = append(b, '{')
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	appendMap := func(name string, kv map[string]string) {
		if len(kv) == 0 {
			return
		}
		sep()
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":{`...)
		i := 0
		for k, v := range kv {
			if i > 0 {
				b = append(b, ',')
			}
			i++
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, v)
		}
		b = append(b, '}')
	}
	appendMap("headers", m.Headers)
	appendMap("query", m.Query)
	if m.Path != "" {
		sep()
		b = append(b, `"path":`...)
		b = appendString(b, m.Path)
	}
	if m.Remote != "" {
		sep()
		b = append(b, `"remote":`...)
		b = appendString(b, m.Remote)
	}
	if len(m.Extra) > 0 {
		if x, err := json.Marshal(m.Extra); err == nil {
			sep()
			b = append(b, `"extra":`...)
			b = append(b, x...)
		}
	}
	return append(b, '}')
}

// looksJSON is a cheap guard against bodies that are plainly not JSON:
// a document starts and ends as one can.
func looksJSON(b []byte) bool {
	first, last := b[0], b[len(b)-1]
	switch first {
	case '{':
		return last == '}'
	case '[':
		return last == ']'
	case '"':
		return last == '"' && len(b) > 1
	case 't', 'f', 'n':
		return last == 'e' || last == 'l'
	}
	return first == '-' || first >= '0' && first <= '9'
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD,
// as with encoding/json.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
