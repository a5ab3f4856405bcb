package webhook

import (
	"strings"
	"testing"
)

// readBody takes exactly the announced bytes, refuses a body cut short,
// and reads on past a wrong announcement.
func TestReadBody(t *testing.T) {
	for _, c := range []struct {
		body    string
		length  int64
		want    string
		wantErr bool
	}{
		{`{"a":1}`, 7, `{"a":1}`, false},
		{`{"a":1}`, -1, `{"a":1}`, false},
		{`{"a":1}`, 9, "", true},
		{`{"a":1}xyz`, 7, `{"a":1}xyz`, false},
		{"", 0, "", false},
	} {
		got, err := readBody(strings.NewReader(c.body), c.length)
		if (err != nil) != c.wantErr || string(got) != c.want {
			t.Errorf("readBody(%q, %d) = %q, %v", c.body, c.length, got, err)
		}
	}
}
