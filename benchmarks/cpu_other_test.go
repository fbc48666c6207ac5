//go:build !unix

package benchmarks

import "time"

// cpuTime is not measured on this platform; the cpu-ns/op metric is left out.
func cpuTime() (time.Duration, bool) { return 0, false }
