package observe

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

// appendStep must make what encoding/json makes of a Step, as far as
// decoding can tell.
func TestAppendStep(t *testing.T) {
	now := time.Date(2026, 11, 24, 19, 0, 0, 123456789, time.UTC)
	ev := &event.Event{ID: "01JAAAAAAAAAAAAAAAAAAAAAAA", Source: "orders", ReceivedAt: now,
		Meta: event.Meta{Headers: map[string]string{"Content-Type": "application/json", "X-Odd": "a\"b\\c\n<&>\u2028"},
			Query: map[string]string{"q": "1"}, Path: "/hooks/orders", Remote: "127.0.0.1:5555",
			Extra: map[string]any{"topic": "t", "offset": 3.0}},
		Body: json.RawMessage(`{"a": [1, 2, {"b": null}], "s": "é\u00e9"}`)}
	recs := []*rec{
		{kind: KindReceived, node: "orders", ev: *ev, at: now},
		{kind: KindReceived, node: "orders", ev: event.Event{ID: "x", Body: json.RawMessage(`not json`)}, at: now},
		{kind: KindTransformed, node: "normalize", ev: *ev, at: now, took: 1500 * time.Microsecond, logs: []string{"one", "two\tthree", "\x00\x1f\xff bad utf8"},
			outputs: []component.Output{{Body: json.RawMessage(`1`)}, {Body: json.RawMessage(`"two"`), Route: "b"}}},
		{kind: KindTransformed, node: "normalize", ev: *ev, at: now, err: errors.New("line 2: ValueError")},
		{kind: KindTransformed, node: "normalize", ev: *ev, at: now},
		{kind: KindEnqueued, node: "crm", ev: *ev, at: now},
		{kind: KindAttempted, node: "crm", ev: *ev, at: now, attempt: 3, took: time.Second,
			receipt: component.Receipt{Request: "POST http://127.0.0.1/x", Status: 503, Response: `{"error":"down"}`},
			err:     errors.New("server (status 503)"), next: now.Add(time.Minute)},
		{kind: KindDeadLettered, node: "crm", ev: *ev, at: now, reason: "gave up after 72h"},
		{kind: KindReplayed, node: "crm", ev: *ev, at: now, reason: "operator"},
	}
	for _, max := range []int{1 << 20, 10} {
		for _, r := range recs {
			s := r.step(max, 8)
			var want, got any
			mine := appendStep(nil, s, true)
			if err := json.Unmarshal(mine, &got); err != nil {
				t.Fatalf("%s: %v\n%s", r.kind, err, mine)
			}
			std, err := json.Marshal(s)
			if err != nil {
				// Only a body that is not JSON; it is kept as text.
				var st Step
				if err := json.Unmarshal(mine, &st); err != nil || string(st.Body.Data) != `"not json"` {
					t.Errorf("body not JSON: %s", mine)
				}
				continue
			}
			if err := json.Unmarshal(std, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\ngot  %s\nwant %s", r.kind, mine, std)
			}
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\ nl\n tab\t", "\x00\x7f\xff", "é\u2028\u2029<>&", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		if err := json.Unmarshal(appendString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		std, _ := json.Marshal(s)
		json.Unmarshal(std, &want)
		if got != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	})
}

func TestCompressed(t *testing.T) {
	for _, v := range []string{"[]", `[{"kind":"received"}]`, "[" + strings.Repeat(`{"kind":"received","body":{"data":"xxxxxxxxxxxxxxxx"}},`, 50) + "{}]"} {
		c := compressed([]byte(v))
		d, err := decompressed(c)
		if err != nil || string(d) != v {
			t.Errorf("%q: got %q, %v", v, d, err)
		}
		if len(v) > 1000 && (c[0] != compressedMark || len(c) > len(v)/4) {
			t.Errorf("not compressed: %d of %d bytes", len(c), len(v))
		}
	}
}
