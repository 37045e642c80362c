package logger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// gate is a writer whose writes wait until it is opened.
type gate struct {
	open chan struct{}
	mu   sync.Mutex
	buf  bytes.Buffer
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) Write(p []byte) (int, error) {
	<-g.open
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.Write(p)
}

func (g *gate) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

func lineN(i int) []byte { return []byte(fmt.Sprintf("line %03d\n", i)) }

func wantLines(t *testing.T, got string, n int) {
	t.Helper()
	var want strings.Builder
	for i := range n {
		want.Write(lineN(i))
	}
	if got != want.String() {
		t.Fatalf("written:\n%s\nwant %d lines in order", got, n)
	}
}

func TestAsyncWriterBlocksWhenFullAndLosesNothing(t *testing.T) {
	g := newGate()
	const max = 40 // four 9-byte lines fit, the fifth waits
	a := NewAsyncWriter(g, max, 0)
	// The first line is taken by the goroutine, whose write waits at the
	// gate; then the queue fills up.
	var wrote sync.WaitGroup
	wrote.Add(1)
	go func() {
		defer wrote.Done()
		for i := range 12 {
			if _, err := a.Write(lineN(i)); err != nil {
				t.Error(err)
			}
		}
	}()
	waitFor(t, "a writer to block on the full queue", func() bool { return a.blocked() == 1 })
	if got := g.String(); got != "" {
		t.Fatalf("written before the gate opened: %q", got)
	}
	close(g.open)
	wrote.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	wantLines(t, g.String(), 12)
}

func TestAsyncWriterCloseWritesEveryAcceptedLine(t *testing.T) {
	g := newGate()
	a := NewAsyncWriter(g, 1<<20, 10*time.Millisecond)
	for i := range 100 {
		if _, err := a.Write(lineN(i)); err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan error)
	go func() { closed <- a.Close() }()
	close(g.open) // the sink was slow: nothing had reached it yet
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	wantLines(t, g.String(), 100)
	// After Close, lines go straight through.
	if _, err := a.Write(lineN(100)); err != nil {
		t.Fatal(err)
	}
	wantLines(t, g.String(), 101)
}

// waitFor polls cond: it waits for another goroutine to reach a state, and
// measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLoggerOnAsyncWriterNeverInterleaves: the handler New builds on an
// AsyncWriter takes no lock of its own, so the AsyncWriter alone keeps
// lines whole: fast-path lines (strings, integers) and slog's own (an
// error value), from many goroutines, before and after Close, into a
// writer that is not safe for concurrent use (-race watches it).
func TestLoggerOnAsyncWriterNeverInterleaves(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer // not safe for concurrent use
			a := NewAsyncWriter(&buf, 4<<10, time.Millisecond)
			log := New(a, format, slog.LevelInfo)
			const goroutines, each = 8, 200
			write := func(g int) {
				for i := range each {
					if i%2 == 0 {
						log.Info("fast", "g", g, "i", i, "pad", strings.Repeat("x", 100))
					} else {
						log.Info("slow", "g", g, "i", i, "err", errors.New("an error value"))
					}
				}
			}
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() { write(g) })
			}
			wg.Wait()
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			for g := range goroutines {
				wg.Go(func() { write(goroutines + g) })
			}
			wg.Wait()
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != 2*goroutines*each {
				t.Fatalf("%d lines, want %d", len(lines), 2*goroutines*each)
			}
			for _, l := range lines {
				whole := strings.HasPrefix(l, "time=") && strings.Count(l, "time=") == 1 &&
					(strings.HasSuffix(l, " pad="+strings.Repeat("x", 100)) || strings.HasSuffix(l, ` err="an error value"`))
				if format == "json" {
					whole = json.Valid([]byte(l))
				}
				if !whole {
					t.Fatalf("broken line %q", l)
				}
			}
		})
	}
}
