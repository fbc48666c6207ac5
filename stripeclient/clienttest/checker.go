package clienttest

import (
	"fmt"
)

// checker is what a scenario reports to: the few methods of testing.T the
// suite uses, collecting errors instead, so that Check returns them as
// fstest.TestFS does and any harness can run it.
type checker struct {
	name    string
	r       *result
	cleanup []func()
}

// result is what a scenario found: its errors, or why it was skipped.
type result struct {
	errs    []error
	skipped string
}

// stop unwinds a scenario after Fatal or Skip, as runtime.Goexit does for
// a test; runScenario recovers it.
type stop struct{}

// runScenario runs f as scenario name and returns what it found.
func runScenario(name string, f func(*checker)) result {
	var r result
	run(&checker{name: name, r: &r}, f)
	return r
}

func run(c *checker, f func(*checker)) {
	defer func() {
		v := recover()
		for i := len(c.cleanup) - 1; i >= 0; i-- {
			c.cleanup[i]()
		}
		if _, ok := v.(stop); v != nil && !ok {
			panic(v)
		}
	}()
	f(c)
}

// Run runs f as a sub-scenario; its failures are the scenario's.
func (c *checker) Run(name string, f func(*checker)) {
	run(&checker{name: c.name + "/" + name, r: c.r}, f)
}

func (c *checker) Name() string     { return c.name }
func (c *checker) Helper()          {}
func (c *checker) Cleanup(f func()) { c.cleanup = append(c.cleanup, f) }

func (c *checker) Errorf(format string, args ...any) {
	c.r.errs = append(c.r.errs, fmt.Errorf("%s: %s", c.name, fmt.Sprintf(format, args...)))
}

func (c *checker) Error(args ...any) { c.Errorf("%s", fmt.Sprint(args...)) }

func (c *checker) Fatalf(format string, args ...any) {
	c.Errorf(format, args...)
	panic(stop{})
}

func (c *checker) Fatal(args ...any) {
	c.Error(args...)
	panic(stop{})
}

// Skip ends the scenario without failing it.
func (c *checker) Skip(args ...any) {
	c.r.skipped = c.name + ": " + fmt.Sprint(args...)
	panic(stop{})
}

// Skipf is Skip with a format.
func (c *checker) Skipf(format string, args ...any) { c.Skip(fmt.Sprintf(format, args...)) }
