package stripetest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSlowBodyIsCutOff: a POST whose body trickles in past the body
// deadline loses its connection, and nothing runs; a prompt one is
// answered.
func TestSlowBodyIsCutOff(t *testing.T) {
	fake := New(Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(newHandler(fake, 200*time.Millisecond))
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	body := "amount=1000&currency=usd&payment_method_types[0]=card"
	send := func(slow bool) (string, error) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, _ = io.WriteString(conn, "POST /v1/payment_intents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_x\r\n"+
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
		for i := 0; i < len(body); i += 10 {
			if slow {
				time.Sleep(100 * time.Millisecond)
			}
			_, _ = io.WriteString(conn, body[i:min(i+10, len(body))])
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.Status + " " + string(b), nil
	}
	if got, err := send(false); err != nil || !strings.HasPrefix(got, "200") {
		t.Fatalf("prompt body: %q %v, want 200", got, err)
	}
	if got, err := send(true); err == nil {
		t.Errorf("slow body: answered %q, want the connection cut", got)
	}
	if n := len(fake.Intents()); n != 1 {
		t.Errorf("%d intents, want 1 (the slow request must not run)", n)
	}
}
