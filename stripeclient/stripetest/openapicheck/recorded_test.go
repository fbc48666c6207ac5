package openapicheck

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/internal/bodyrec"
)

// TestRecordedBodies checks the bodies the HTTP fake served while other
// tests ran: make test runs the root module's tests and the browser test
// with bodyrec.Env set to a directory, then this test with
// OPENAPI_RECORDED_BODIES naming it. Without it the test skips (a plain go
// test, or make openapi alone); under OPENAPI_CHECK_REQUIRED=1 an empty
// recording fails, as it means the recording broke.
func TestRecordedBodies(t *testing.T) {
	dir := os.Getenv("OPENAPI_RECORDED_BODIES")
	if dir == "" {
		t.Skip("OPENAPI_RECORDED_BODIES is not set: no recording to check (make test makes one)")
	}
	specs := loadSpecs(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var xs []exchange
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var r bodyrec.Body
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			xs = append(xs, exchange{method: r.Method, path: r.Path, status: r.Status, body: r.Body})
		}
		if err := sc.Err(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		f.Close()
	}
	if len(xs) == 0 && os.Getenv("OPENAPI_CHECK_REQUIRED") == "1" {
		t.Fatalf("no recorded bodies in %s: were the tests run with %s set?", dir, bodyrec.Env)
	}
	checkAll(t, specs, "during the other tests", xs)
}
