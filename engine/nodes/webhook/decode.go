package webhook

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrUnsupportedType is wrapped when the content type is not one the
// webhook speaks.
var ErrUnsupportedType = errors.New("unsupported content type")

// Decode turns a request body in its native format into event bodies
// (JSON). JSON gives one event, or one per element of a top-level array
// when split is true; NDJSON gives one event per line; a form gives an
// object of its fields (a field given twice becomes a list); XML gives an
// object keyed by the root element ("@attr" for attributes, "#text" for
// text, repeated elements as lists); text gives {"text": "..."}. An empty
// content type is read as JSON.
func Decode(contentType string, body []byte, split bool) ([]json.RawMessage, error) {
	mt := "application/json"
	if contentType != "" && contentType != mt {
		var err error
		mt, _, err = mime.ParseMediaType(contentType)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrUnsupportedType, contentType)
		}
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return decodeJSON(body, split)
	case mt == "application/x-ndjson" || mt == "application/jsonl" || mt == "application/jsonlines" || mt == "application/x-jsonlines":
		return decodeNDJSON(body)
	case mt == "application/x-www-form-urlencoded":
		return decodeForm(body)
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return decodeXML(body)
	case mt == "text/plain":
		if !utf8.Valid(body) {
			return nil, errors.New("text body is not valid UTF-8")
		}
		b, _ := json.Marshal(map[string]string{"text": string(body)})
		return []json.RawMessage{b}, nil
	}
	return nil, fmt.Errorf("%w %q (send application/json, application/x-ndjson, application/x-www-form-urlencoded, application/xml or text/plain)", ErrUnsupportedType, mt)
}

func decodeJSON(body []byte, split bool) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("empty body: expected JSON")
	}
	if !json.Valid(body) {
		return nil, jsonError(body)
	}
	if split && body[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, jsonError(body)
		}
		if len(items) == 0 {
			return nil, errors.New("empty JSON array: no events")
		}
		return items, nil
	}
	return []json.RawMessage{json.RawMessage(body)}, nil
}

// jsonError says where the JSON breaks.
func jsonError(body []byte) error {
	var v any
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the bad one included.
		line, col := position(body, max(se.Offset-1, 0))
		return fmt.Errorf("malformed JSON at line %d, column %d: %v", line, col, se)
	}
	if err != nil {
		return fmt.Errorf("malformed JSON: %v", err)
	}
	return errors.New("malformed JSON")
}

func position(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func decodeNDJSON(body []byte) ([]json.RawMessage, error) {
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64*1024), len(body)+1)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return nil, fmt.Errorf("malformed JSON on line %d", n)
		}
		out = append(out, json.RawMessage(append([]byte(nil), line...)))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read NDJSON: %v", err)
	}
	if len(out) == 0 {
		return nil, errors.New("empty NDJSON body: no events")
	}
	return out, nil
}

func decodeForm(body []byte) ([]json.RawMessage, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("malformed form body: %v", err)
	}
	obj := make(map[string]any, len(vals))
	for k, v := range vals {
		if len(v) == 1 {
			obj[k] = v[0]
		} else {
			obj[k] = v
		}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("form body: %v", err)
	}
	return []json.RawMessage{b}, nil
}

// xmlNode builds the JSON shape of an element.
type xmlNode struct {
	name     string
	attrs    []xml.Attr
	text     strings.Builder
	children []*xmlNode
}

func (n *xmlNode) value() any {
	if len(n.attrs) == 0 && len(n.children) == 0 {
		return strings.TrimSpace(n.text.String())
	}
	m := map[string]any{}
	for _, a := range n.attrs {
		m["@"+a.Name.Local] = a.Value
	}
	for _, c := range n.children {
		v := c.value()
		if prev, ok := m[c.name]; ok {
			if l, isList := prev.([]any); isList {
				m[c.name] = append(l, v)
			} else {
				m[c.name] = []any{prev, v}
			}
		} else {
			m[c.name] = v
		}
	}
	if t := strings.TrimSpace(n.text.String()); t != "" {
		m["#text"] = t
	}
	return m
}

func decodeXML(body []byte) ([]json.RawMessage, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("malformed XML: more than one root element")
			}
			n := &xmlNode{name: t.Name.Local, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("malformed XML: text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("malformed XML: no root element")
	}
	b, err := json.Marshal(map[string]any{root.name: root.value()})
	if err != nil {
		return nil, fmt.Errorf("XML body: %v", err)
	}
	return []json.RawMessage{b}, nil
}
