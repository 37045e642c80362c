package logger

import (
	"io"
	"sync"
	"time"
)

// AsyncWriter takes log lines from the request path and writes them to w on
// its own goroutine, so a request does not pay a write(2) for its line.
// When a line arrives at an idle writer, the goroutine waits linger (10 ms
// in the local server) for the lines that follow, then writes them all in
// one call: one write(2), and one wake-up of the process reading the log
// pipe, per batch instead of per request. Writing each line as soon as the
// goroutine is free, without the linger, and having the writing request
// take the others' lines, did not pay (docs/PERFORMANCE.md); the linger
// did, about 5 µs of server CPU per request under wrk.
//
// A process killed outright loses at most the last linger's lines; a
// graceful shutdown loses none (Close).
//
// The queue is bounded (maxPending bytes). When it is full, Write blocks
// until the goroutine has written the queue out: a log sink that cannot keep
// up slows the requests down instead of losing their lines. Request and
// audit lines are never dropped, silently or otherwise.
//
// Close writes out every line accepted before it and waits for that to
// finish; a graceful shutdown calls it after the HTTP server has stopped,
// so that no accepted line is lost. Lines written after Close go straight
// to w.
//
// Each Write must be whole lines, as slog's handlers write them (one call
// per record), so lines are never interleaved: Writes are taken one at a
// time, whole, before and after Close, and the handler New builds on an
// AsyncWriter relies on that instead of a lock of its own.
type AsyncWriter struct {
	w      io.Writer
	max    int
	linger time.Duration

	mu       sync.Mutex
	cond     *sync.Cond // signals the goroutine (work or close) and blocked writers (room)
	pending  []byte     // accepted, not yet handed to w
	spare    []byte     // the previous batch's buffer, reused
	writing  bool       // the goroutine is writing a batch
	closed   bool
	done     chan struct{}
	waiting  int   // writers blocked on a full queue (for tests)
	writeErr error // the last error of w, returned by Close
}

// NewAsyncWriter starts the goroutine writing to w. maxPending bounds the
// bytes held at any time (at least one line is always accepted); linger is
// how long a batch waits for more lines (0 writes at once).
func NewAsyncWriter(w io.Writer, maxPending int, linger time.Duration) *AsyncWriter {
	a := &AsyncWriter{w: w, max: maxPending, linger: linger, done: make(chan struct{})}
	a.cond = sync.NewCond(&a.mu)
	go a.loop()
	return a
}

// Write queues p, blocking while the queue is full.
func (a *AsyncWriter) Write(p []byte) (int, error) {
	a.mu.Lock()
	for len(a.pending) > 0 && len(a.pending)+len(p) > a.max && !a.closed {
		a.waiting++
		a.cond.Wait()
		a.waiting--
	}
	if a.closed {
		// After the goroutine's last batch, straight through, one
		// Write at a time as before.
		a.mu.Unlock()
		<-a.done
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.w.Write(p)
	}
	wake := len(a.pending) == 0 && !a.writing
	a.pending = append(a.pending, p...)
	a.mu.Unlock()
	if wake {
		a.cond.Broadcast()
	}
	return len(p), nil
}

func (a *AsyncWriter) loop() {
	defer close(a.done)
	a.mu.Lock()
	for {
		for len(a.pending) == 0 && !a.closed {
			a.cond.Wait()
		}
		if len(a.pending) == 0 && a.closed {
			a.mu.Unlock()
			return
		}
		if !a.closed && a.linger > 0 && len(a.pending) < a.max/2 {
			// Let the lines of the next moment join this one: one
			// write(2), and one wake-up of the reader, per batch.
			a.mu.Unlock()
			time.Sleep(a.linger)
			a.mu.Lock()
		}
		batch := a.pending
		a.pending = a.spare[:0]
		a.writing = true
		a.mu.Unlock()
		_, err := a.w.Write(batch)
		a.mu.Lock()
		if err != nil {
			a.writeErr = err
		}
		a.writing = false
		a.spare = batch
		// Writers waiting for room, and Close waiting for the end.
		a.cond.Broadcast()
	}
}

// Close writes out every accepted line and stops the goroutine. It returns
// the last error the underlying writer reported, if any.
func (a *AsyncWriter) Close() error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		a.cond.Broadcast()
	}
	a.mu.Unlock()
	<-a.done
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.writeErr
}

// blocked is how many writers wait for room in the queue.
func (a *AsyncWriter) blocked() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiting
}
