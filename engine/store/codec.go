package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sluice-etl/sluice/engine/event"
)

// A compact binary encoding of queue items and events. JSON cost about a
// fifth of the runner's CPU per event (RawMessage bodies are re-validated
// on every Marshal); this costs a copy. Version byte first, so the format
// can change.
const codecV1 = 1

var errCorrupt = errors.New("corrupt record")

type enc struct{ b []byte }

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) bytes(p []byte)   { e.uvarint(uint64(len(p))); e.b = append(e.b, p...) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.varint(0)
		return
	}
	e.varint(t.UnixNano())
}

// strMap writes the pairs in map order: the record need not be the same
// bytes each time, and sorting the keys cost an allocation and a sort
// per map, twice per event on the way through a transform.
func (e *enc) strMap(m map[string]string) {
	e.uvarint(uint64(len(m)))
	for k, v := range m {
		e.str(k)
		e.str(v)
	}
}

// eventSize is about the encoded size of ev, so the buffer is allocated
// once.
func eventSize(ev *event.Event) int {
	n := 64 + len(ev.ID) + len(ev.Source) + len(ev.Meta.Path) + len(ev.Meta.Remote) + len(ev.Body)
	for k, v := range ev.Meta.Headers {
		n += len(k) + len(v) + 4
	}
	for k, v := range ev.Meta.Query {
		n += len(k) + len(v) + 4
	}
	return n
}

type dec struct {
	b   []byte
	err error
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	out := make([]byte, n)
	copy(out, d.b[:n])
	d.b = d.b[n:]
	return out
}

func (d *dec) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *dec) time() time.Time {
	v := d.varint()
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

func (d *dec) strMap() map[string]string {
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}

func (e *enc) event(ev *event.Event) error {
	e.str(ev.ID)
	e.str(ev.Source)
	e.time(ev.ReceivedAt)
	e.strMap(ev.Meta.Headers)
	e.strMap(ev.Meta.Query)
	e.str(ev.Meta.Path)
	e.str(ev.Meta.Remote)
	if len(ev.Meta.Extra) > 0 {
		x, err := json.Marshal(ev.Meta.Extra)
		if err != nil {
			return fmt.Errorf("encode meta: %w", err)
		}
		e.bytes(x)
	} else {
		e.bytes(nil)
	}
	e.bytes(ev.Body)
	return nil
}

func (d *dec) event() (*event.Event, error) {
	ev := &event.Event{}
	ev.ID = d.str()
	ev.Source = d.str()
	ev.ReceivedAt = d.time()
	ev.Meta.Headers = d.strMap()
	ev.Meta.Query = d.strMap()
	ev.Meta.Path = d.str()
	ev.Meta.Remote = d.str()
	if x := d.bytes(); len(x) > 0 && d.err == nil {
		if err := json.Unmarshal(x, &ev.Meta.Extra); err != nil {
			return nil, fmt.Errorf("decode meta: %w", err)
		}
	}
	ev.Body = d.bytes()
	return ev, d.err
}

// encodeEvent encodes an inbox entry.
func encodeEvent(ev *event.Event) ([]byte, error) {
	e := enc{b: make([]byte, 0, eventSize(ev))}
	e.b = append(e.b, codecV1)
	err := e.event(ev)
	return e.b, err
}

func decodeEvent(b []byte) (*event.Event, error) {
	if len(b) == 0 || b[0] != codecV1 {
		return nil, fmt.Errorf("%w: unknown version", errCorrupt)
	}
	d := dec{b: b[1:]}
	return d.event()
}

// encodeItem encodes a queue item.
func encodeItem(it *QueueItem) ([]byte, error) {
	e := enc{b: make([]byte, 0, 32+len(it.LastError)+eventSize(it.Event))}
	e.b = append(e.b, codecV1)
	e.uvarint(uint64(it.Attempts))
	e.time(it.FirstAttempt)
	e.str(it.LastError)
	if len(it.Errors) > 0 {
		x, err := json.Marshal(it.Errors)
		if err != nil {
			return nil, err
		}
		e.bytes(x)
	} else {
		e.bytes(nil)
	}
	err := e.event(it.Event)
	return e.b, err
}

func decodeItem(b []byte, it *QueueItem) error {
	if len(b) == 0 || b[0] != codecV1 {
		return fmt.Errorf("%w: unknown version", errCorrupt)
	}
	d := dec{b: b[1:]}
	it.Attempts = int(d.uvarint())
	it.FirstAttempt = d.time()
	it.LastError = d.str()
	if x := d.bytes(); len(x) > 0 && d.err == nil {
		if err := json.Unmarshal(x, &it.Errors); err != nil {
			return fmt.Errorf("decode attempts: %w", err)
		}
	}
	ev, err := d.event()
	if err != nil {
		return err
	}
	it.Event = ev
	return nil
}
