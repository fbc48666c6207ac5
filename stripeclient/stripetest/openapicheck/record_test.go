package openapicheck

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// exchange is one response the server sent, with the request it answered.
type exchange struct {
	method, path string
	status       int
	body         []byte
}

// recorder is an http.RoundTripper that keeps every response body.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.log = append(r.log, exchange{method: req.Method, path: req.URL.Path, status: res.StatusCode, body: body})
	r.mu.Unlock()
	return res, nil
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.log...)
}
