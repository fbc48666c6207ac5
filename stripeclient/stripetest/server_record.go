package stripetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
)

// RecordBodiesEnv names the environment variable that makes every handler
// of this package (NewServer, NewHandler, cmd/stripetest) append each
// response it sends to a file in the directory it names, one JSON line
// per response. `make test` sets it while its tests run, then checks every
// recorded body against Stripe's OpenAPI specification
// (stripeclient/stripetest/openapicheck). Unset, nothing is recorded.
const RecordBodiesEnv = "STRIPETEST_RECORD_BODIES"

// RecordedBody is one line of a recording: a response and what it
// answered.
type RecordedBody struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// bodyRecorder appends responses to this process's file in dir.
type bodyRecorder struct {
	file string
}

func newBodyRecorder() *bodyRecorder {
	dir := os.Getenv(RecordBodiesEnv)
	if dir == "" {
		return nil
	}
	return &bodyRecorder{file: filepath.Join(dir, "bodies-"+strconv.Itoa(os.Getpid())+".jsonl")}
}

// record appends one line. Each line goes out in one write on a file
// opened for appending, so concurrent handlers, and processes, do not
// interleave. A failure to record is not the caller's failure: the check
// that reads the recording finds the body missing, not this request.
func (r *bodyRecorder) record(method, path string, status int, body []byte) {
	if r == nil || !json.Valid(body) {
		return
	}
	line, err := json.Marshal(RecordedBody{Method: method, Path: path, Status: status, Body: body})
	if err != nil {
		return
	}
	f, err := os.OpenFile(r.file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	_, _ = f.Write(append(line, '\n'))
	_ = f.Close()
}
