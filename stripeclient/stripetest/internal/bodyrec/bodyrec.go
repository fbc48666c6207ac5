// Package bodyrec records the response bodies of the HTTP fake, so that
// make test can check every body its tests were served against Stripe's
// OpenAPI specification (stripeclient/stripetest/openapicheck). It is
// internal: the recording is this repository's test plumbing, not part of
// the fake's API.
package bodyrec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
)

// Env names the environment variable that makes every handler of
// stripetest (NewServer, NewHandler, cmd/stripetest) append each
// response it sends to a file in the directory it names, one JSON line
// per response. `make test` sets it while its tests run, then checks every
// recorded body against Stripe's OpenAPI specification
// (stripeclient/stripetest/openapicheck). Unset, nothing is recorded.
const Env = "STRIPETEST_RECORD_BODIES"

// Body is one line of a recording: a response and what it answered.
type Body struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// Recorder appends responses to this process's file in the directory Env
// names.
type Recorder struct {
	file string
}

// New returns the process's Recorder, or nil when Env is not set (a nil
// Recorder records nothing).
func New() *Recorder {
	dir := os.Getenv(Env)
	if dir == "" {
		return nil
	}
	return &Recorder{file: filepath.Join(dir, "bodies-"+strconv.Itoa(os.Getpid())+".jsonl")}
}

// Record appends one line. Each line goes out in one write on a file
// opened for appending, so concurrent handlers, and processes, do not
// interleave. A failure to record is not the caller's failure: the check
// that reads the recording finds the body missing, not this request.
func (r *Recorder) Record(method, path string, status int, body []byte) {
	if r == nil || !json.Valid(body) {
		return
	}
	line, err := json.Marshal(Body{Method: method, Path: path, Status: status, Body: body})
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
