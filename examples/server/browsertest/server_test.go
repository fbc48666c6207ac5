package browsertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// exampleServer is the example binary running in demo mode on a free
// loopback port.
type exampleServer struct {
	URL string // "http://127.0.0.1:PORT/"

	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
}

// repoRoot returns the root module's directory, three levels up.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.Contains(mod, []byte("module github.com/cardconfirm/cardconfirm\n")) {
		t.Fatalf("%s is not the cardconfirm root module (go.mod: %v)", root, err)
	}
	return root
}

// startExample builds examples/server and starts it. The environment is
// passed on without any STRIPE_ variable, so a developer's keys never turn
// the test into real payments. It is stopped by its PID when the test ends.
func startExample(t *testing.T) *exampleServer {
	t.Helper()
	return startExampleWith(t, nil, nil)
}

// startExampleWith is startExample with extra arguments and environment
// variables (KEY=value), added after the STRIPE_ ones are removed.
func startExampleWith(t *testing.T, args, env []string) *exampleServer {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "example-server")
	// The example is its own module (examples/server/go.mod): build it
	// from its directory.
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join(repoRoot(t), "examples", "server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in examples/server: %v\n%s", err, out)
	}

	s := &exampleServer{}
	s.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STRIPE_") && !strings.HasPrefix(kv, "ADDR=") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Env = append(s.cmd.Env, env...)
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = lockedWriter{&s.mu, &s.stderr}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start example: %v", err)
	}
	t.Cleanup(func() { s.stop(t) })

	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var sent bool
		for sc.Scan() {
			line := sc.Text()
			t.Logf("example: %s", line)
			if rest, ok := strings.CutPrefix(line, "Open "); ok && !sent {
				urlc <- strings.TrimSpace(rest)
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case s.URL = <-urlc:
	case <-time.After(30 * time.Second):
		t.Fatalf("example printed no URL within 30s; stderr:\n%s", s.logs())
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("example listens on %q, want a loopback http URL", s.URL)
	}
	return s
}

// stop ends the example with SIGTERM (its graceful shutdown), by PID, and
// kills it if it does not exit in time.
func (s *exampleServer) stop(t *testing.T) {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("example exited with %v after SIGTERM; stderr:\n%s", err, s.logs())
		}
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
		t.Errorf("example did not stop within 10s of SIGTERM")
	}
	if t.Failed() {
		t.Logf("example stderr:\n%s", s.logs())
	}
}

func (s *exampleServer) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// orderCharges is one order of GET /demo/charges.
type orderCharges struct {
	OrderID string `json:"order_id"`
	State   string `json:"state"`
	Amount  int64  `json:"amount"`
	Intent  string `json:"intent"`
	Charges []struct {
		ID             string `json:"id"`
		PaymentIntent  string `json:"payment_intent"`
		Status         string `json:"status"`
		Amount         int64  `json:"amount"`
		AmountCaptured int64  `json:"amount_captured"`
		Captured       bool   `json:"captured"`
		CVCCheck       string `json:"cvc_check"`
		MoneyMoved     bool   `json:"money_moved"`
		Account        string `json:"account"` // "" for the platform
	} `json:"charges"`
	MoneyMoved int `json:"money_moved"`
	Refunds    []struct {
		ID     string `json:"id"`
		Amount int64  `json:"amount"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"refunds"`
}

// charges asks the example what the fake charged for orderID.
func (s *exampleServer) charges(t *testing.T, orderID string) orderCharges {
	t.Helper()
	res, err := http.Get(s.URL + "demo/charges?order=" + orderID)
	if err != nil {
		t.Fatalf("GET /demo/charges: %v", err)
	}
	defer res.Body.Close()
	var all []orderCharges
	if err := json.NewDecoder(res.Body).Decode(&all); err != nil {
		t.Fatalf("GET /demo/charges: %v", err)
	}
	if len(all) != 1 || all[0].OrderID != orderID {
		t.Fatalf("GET /demo/charges?order=%s: got %d orders, want that one", orderID, len(all))
	}
	return all[0]
}

// lockedWriter lets the process's stderr copier and the test read the
// buffer concurrently.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (c orderCharges) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "order %s (%s, %d, intent %s): %d charge(s) moved money", c.OrderID, c.State, c.Amount, c.Intent, c.MoneyMoved)
	for _, ch := range c.Charges {
		fmt.Fprintf(&b, "\n  %s %s %s amount=%d captured=%v cvc=%s moved=%v account=%q", ch.ID, ch.PaymentIntent, ch.Status, ch.Amount, ch.Captured, ch.CVCCheck, ch.MoneyMoved, ch.Account)
	}
	for _, r := range c.Refunds {
		fmt.Fprintf(&b, "\n  refund %s %s amount=%d reason=%s", r.ID, r.Status, r.Amount, r.Reason)
	}
	return b.String()
}
