package campaign

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Start is the fake's clock at the beginning of every scenario: fixed, so
// that a seed replays the same IDs.
var Start = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// LogBuffer is an io.Writer for a slog.JSONHandler shared by goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Lines returns the records written so far, one JSON object each.
func (l *LogBuffer) Lines() []string {
	s := strings.TrimSpace(l.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// NewLogger returns a JSON logger at Debug writing into a new buffer: the
// most a host could log.
func NewLogger() (*slog.Logger, *LogBuffer) {
	buf := &LogBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// secretMarkers matches what must never appear in a log line or an error
// string: secret and restricted keys, client secrets, and a CVC token with
// its value.
var secretMarkers = regexp.MustCompile(`[sr]k_(test|live)_|_secret_|cvctok_[A-Za-z0-9]`)

// digitRun matches a run of 13–19 digits, optionally grouped by spaces or
// dashes as card numbers are written, not glued to other digits or
// letters.
var digitRun = regexp.MustCompile(`(?:^|[^0-9A-Za-z])(\d(?:[ -]?\d){12,18})(?:$|[^0-9A-Za-z])`)

// testCardNumbers are the numbers of the fake's test cards, digits only.
var testCardNumbers = func() []string {
	var out []string
	for _, c := range stripetest.TestCards() {
		out = append(out, strings.ReplaceAll(c.Number, " ", ""))
	}
	return out
}()

// FindSecret returns the first secret-looking text in s, or "". Card
// numbers are the fake's test numbers and any Luhn-valid 13–19 digit run.
func FindSecret(s string) string {
	if m := secretMarkers.FindString(s); m != "" {
		return m
	}
	for _, n := range testCardNumbers {
		if strings.Contains(s, n) {
			return n
		}
	}
	for _, m := range digitRun.FindAllStringSubmatch(s, -1) {
		digits := strings.NewReplacer(" ", "", "-", "").Replace(m[1])
		if luhn(digits) {
			return m[1]
		}
	}
	return ""
}

func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// MoneyMoved counts the charges of orderID that took or hold money.
func MoneyMoved(fake *stripetest.Fake, orderID string) int {
	n := 0
	for _, c := range fake.ChargesWhere(confirm.DefaultMetadataKey, orderID) {
		if c.MoneyMoved() {
			n++
		}
	}
	return n
}

// IntentsOf returns the IDs of the intents created for orderID.
func IntentsOf(fake *stripetest.Fake, orderID string) []string {
	var ids []string
	for _, pi := range fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == orderID {
			ids = append(ids, pi.ID)
		}
	}
	return ids
}

// requestCtx is a host request's context whose deadline the campaign fires
// at the moment it chooses, instead of waiting on the wall clock: a
// FaultLatency longer than the request's deadline then ends exactly as a
// context.WithTimeout would, and a seed replays it exactly.
//
// It also carries what the campaign plans for the request: the pause
// point where another attempt, a clock jump or a restart breaks in, and
// whether a Store fault struck it. Store and client wrappers find it with
// ctx.Value(requestKey{}), through any context the library derives.
type requestCtx struct {
	context.Context
	done chan struct{}
	once sync.Once

	plan         *pausePlan
	inst         int // the instance serving the request
	storeFaulted bool
	// overlapped: another attempt ran whole while this request waited, so
	// this request's answer may predate what that attempt did.
	overlapped bool
	// movedAtAnswer: the order's money had moved when Stripe last answered
	// this request (or when it began, before any answer).
	movedAtAnswer bool
	// race: the shop's off-session retry ran while this request waited.
	race *raceRun
}

// requestKey is the context key under which a requestCtx finds itself.
type requestKey struct{}

func (c *requestCtx) Value(key any) any {
	if key == (requestKey{}) {
		return c
	}
	return c.Context.Value(key)
}

func newRequestCtx() *requestCtx {
	return &requestCtx{Context: context.Background(), done: make(chan struct{})}
}

func (c *requestCtx) Done() <-chan struct{} { return c.done }

func (c *requestCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// expire makes the deadline pass now.
func (c *requestCtx) expire() { c.once.Do(func() { close(c.done) }) }
