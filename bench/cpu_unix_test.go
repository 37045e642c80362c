//go:build unix

package bench_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used (user and system, every
// thread, the garbage collector's included). On a machine shared with other
// work it is a steadier measure than wall time, which also counts the time
// a runnable goroutine waits for a CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
