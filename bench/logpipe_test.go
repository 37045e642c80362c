package bench_test

import (
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"testing"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
	"github.com/fnguard/fnguard/routes"
)

// BenchmarkLogPipe serves cached /api/me requests from 32 goroutines
// through the full router, logging (text, info) into a real pipe read by
// another process (cat), as a container's log collector would, or into
// io.Discard: the difference is what the write(2) of each line costs. CPU
// per request is this process's only.
func BenchmarkLogPipe(b *testing.B) {
	tok := mint(b, "paid")
	for _, mode := range []string{"discard", "pipe"} {
		b.Run(mode, func(b *testing.B) {
			cat := exec.Command("cat")
			cat.Stdout = io.Discard
			pipe, err := cat.StdinPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := cat.Start(); err != nil {
				b.Fatal(err)
			}
			var w io.Writer = pipe
			if mode == "discard" {
				w = io.Discard
			}
			h := routes.New(routes.Options{
				Logger:         logger.New(w, "text", slog.LevelInfo),
				Verifier:       newVerifier(b, auth.Config{}),
				BasePaths:      []string{"/api"},
				AllowedOrigins: []string{"https://app.fnguard.test"},
			})
			r := request("/api/me", tok)
			warm := newSink()
			h.ServeHTTP(warm, r)
			if warm.status != http.StatusOK {
				b.Fatalf("status %d", warm.status)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			b.SetParallelism(16) // 32 goroutines on 2 CPUs, as wrk -c32 makes
			b.RunParallel(func(pb *testing.PB) {
				w := newSink()
				for pb.Next() {
					w.reset()
					h.ServeHTTP(w, r)
					if w.status != http.StatusOK {
						b.Errorf("status %d", w.status)
						return
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu)
			pipe.Close()
			_ = cat.Wait()
		})
	}
}
