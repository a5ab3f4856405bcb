package pyrt_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sluice-etl/sluice/engine/pyrt"
)

// The designer's live test: compile errors and per-event results as data.
func ExampleTest() {
	code := `
def transform(event):
    if event["n"] < 0:
        return None
    print("got", event["n"])
    return {"n": event["n"] * 2, "label": f"#{event['n']:03d}"}
`
	rep, err := pyrt.Test(context.Background(), pyrt.TestRequest{
		Code:   code,
		Events: []json.RawMessage{[]byte(`{"n": 7}`), []byte(`{"n": -1}`), []byte(`{}`)},
	})
	if err != nil {
		panic(err)
	}
	for _, r := range rep.Results {
		if r.Error != nil {
			fmt.Printf("%d: error at line %d: %s\n", r.Index, r.Error.Line, r.Error.Message)
			continue
		}
		fmt.Printf("%d: %d output(s) %s logs %q\n", r.Index, len(r.Outputs), r.Outputs, r.Logs)
	}

	rep, _ = pyrt.Test(context.Background(), pyrt.TestRequest{Code: "def transform(event):\n    return {'a': 1\n"})
	fmt.Printf("compile error: line %d: %s\n", rep.CompileError.Line, rep.CompileError.Message)
	// Output:
	// 0: 1 output(s) [{"n":14,"label":"#007"}] logs ["got 7"]
	// 1: 0 output(s) [] logs []
	// 2: error at line 3: 'n'
	// compile error: line 3: unexpected EOF while parsing
}
