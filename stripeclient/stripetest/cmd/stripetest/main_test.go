package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCheckAddr(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:12111", false, true},
		{"[::1]:0", false, true},
		{"localhost:0", false, true},
		{":12111", false, false},
		{"0.0.0.0:12111", false, false},
		{"192.0.2.1:12111", false, false},
		{"192.0.2.1:12111", true, true},
		{"no-port", false, false},
	} {
		if err := checkAddr(tc.addr, tc.remote); (err == nil) != tc.ok {
			t.Errorf("checkAddr(%q, %v) = %v, want ok=%v", tc.addr, tc.remote, err, tc.ok)
		}
	}
}

// TestRun starts the command on a free port, asks it for a payment method
// and stops it as SIGINT would.
func TestRun(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	_, rest, _ := strings.Cut(line, "http://")
	base := "http://" + strings.Fields(rest)[0]
	req, _ := http.NewRequest("GET", base+"/v1/payment_methods/pm_card_visa", nil)
	req.Header.Set("Authorization", "Bearer sk_test_cmd")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET a test card: status %d", res.StatusCode)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	if err := run(context.Background(), []string{"-addr", "0.0.0.0:0"}, io.Discard, io.Discard); err == nil {
		t.Error("run accepted a non-loopback address without -allow-remote")
	}
}

// TestRunCutsSlowBodies: with -read-timeout, a request whose body trickles
// in past it loses its connection unanswered.
func TestRunCutsSlowBodies(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	pr, pw := io.Pipe()
	go func() {
		_ = run(ctx, []string{"-addr", "127.0.0.1:0", "-read-timeout", "300ms"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	_, rest, _ := strings.Cut(line, "http://")
	conn, err := net.Dial("tcp", strings.Fields(rest)[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "amount=1000&currency=usd&payment_method_types[0]=card"
	_, _ = io.WriteString(conn, "POST /v1/payment_intents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_cmd\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
	for i := 0; i < len(body); i += 10 {
		time.Sleep(100 * time.Millisecond)
		_, _ = io.WriteString(conn, body[i:min(i+10, len(body))])
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if res, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
		res.Body.Close()
		t.Errorf("slow body answered %s, want the connection cut", res.Status)
	}
}
