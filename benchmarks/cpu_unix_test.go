//go:build unix

package benchmarks

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) the process has used so far, on
// every thread, GC workers included. On a shared machine it moves far less
// than wall time when other processes compete for the cores.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
