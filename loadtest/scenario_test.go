package loadtest

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fnguard/fnguard/internal/securitytest"
)

const (
	audience   = "https://api.fnguard.test"
	rolesClaim = "https://fnguard.dev/roles"
)

// scenario is one load run. Its timeline, in fractions of the duration:
//
//	0.3  the issuer rotates in a new key; tokens signed with it join the mix
//	0.5  the issuer goes down (connections cut)
//	0.6  the issuer hangs (slower than the JWKS client's timeout)
//	0.7  the issuer is healthy again
type scenario struct {
	duration    time.Duration
	concurrency int
}

type phaseResult struct {
	name  string
	total int           // requests sent from the start to the phase's end
	end   time.Duration // since the start
}

// result is what a run measured.
type result struct {
	phases         []phaseResult
	tally          *securitytest.Tally
	elapsed        time.Duration
	discovery      int64 // discovery requests the issuer got
	jwks           int64 // JWKS requests the issuer got
	attempts       int64 // refreshes the KeySet attempted
	minRefresh     time.Duration
	rotationServed time.Duration // from the rotation to the first JWKS holding the new key
	logLines       int64

	baseGoroutines, peakGoroutines, afterGoroutines int
	baseHeap, peakHeap, afterHeap                   uint64 // HeapAlloc, bytes
	peakSys                                         uint64 // memory obtained from the OS, bytes
}

func (r result) String() string {
	var b strings.Builder
	total := r.tally.Total()
	fmt.Fprintf(&b, "%d requests (%.0f/s), %d wrong answers\n", total, float64(total)/r.elapsed.Seconds(), r.tally.Wrong())
	fmt.Fprintf(&b, "%s\n", r.tally)
	var prevTotal int
	var prevEnd time.Duration
	for _, p := range r.phases {
		fmt.Fprintf(&b, "phase %-14s %6.1fs-%5.1fs %7d requests %6.0f/s\n", p.name, prevEnd.Seconds(), p.end.Seconds(),
			p.total-prevTotal, float64(p.total-prevTotal)/(p.end-prevEnd).Seconds())
		prevTotal, prevEnd = p.total, p.end
	}
	fmt.Fprintf(&b, "issuer: %d discovery, %d JWKS requests (warm-up included); %d refresh attempts (rate limit %s); rotated key served %s after the rotation\n",
		r.discovery, r.jwks, r.attempts, r.minRefresh, r.rotationServed.Round(time.Millisecond))
	fmt.Fprintf(&b, "goroutines: %d before, %d peak, %d after\n", r.baseGoroutines, r.peakGoroutines, r.afterGoroutines)
	fmt.Fprintf(&b, "heap: %.1f MiB before, %.1f MiB peak, %.1f MiB after GC; %.1f MiB peak from the OS\n",
		mib(r.baseHeap), mib(r.peakHeap), mib(r.afterHeap), mib(r.peakSys))
	fmt.Fprintf(&b, "log lines: %d", r.logLines)
	return b.String()
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// run runs sc and fails t unless every answer was right and the process
// came back to its baseline.
func (sc scenario) run(t *testing.T) result {
	var r result
	r.baseGoroutines, r.baseHeap = settle(0, 0)

	// Everything the run builds lives in the subtest, whose cleanups close
	// the server and the issuer before the baseline is checked again.
	t.Run("traffic", func(t *testing.T) { sc.traffic(t, &r) })

	const goroutineSlack, heapSlack = 2, 4 << 20
	r.afterGoroutines, r.afterHeap = settle(r.baseGoroutines+goroutineSlack, r.baseHeap+heapSlack)
	t.Logf("\n%s", r)
	if r.afterGoroutines > r.baseGoroutines+goroutineSlack {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before, %d after the run; leaked:\n%s", r.baseGoroutines, r.afterGoroutines, buf[:runtime.Stack(buf, true)])
	}
	if r.afterHeap > r.baseHeap+heapSlack {
		t.Errorf("heap after GC: %.1f MiB, %.1f MiB before the run", mib(r.afterHeap), mib(r.baseHeap))
	}
	return r
}

func (sc scenario) traffic(t *testing.T, r *result) {
	minRefresh := sc.duration / 20
	r.minRefresh = minRefresh
	iss := securitytest.NewIssuer(t, audience, rolesClaim)
	lines := &lineCounter{}
	// A JWKS request on loopback is fast, but not on a machine busy with
	// the race detector: a timeout shorter than 2s would turn slowness
	// into failed fetches the timeline did not ask for.
	srv := securitytest.NewServer(t, iss, securitytest.ServerOptions{
		ClientTimeout: max(minRefresh, 2*time.Second), MinRefresh: minRefresh, Logs: lines,
	})
	tr := securitytest.NewTraffic(t, iss, 64)
	nextKey := securitytest.NewKey(t)
	rotated := securitytest.Rotated(t, iss, nextKey, 64)
	mix := securitytest.NewMix(append(tr.Kinds(), securitytest.Fresh(t, iss))...)
	client := securitytest.NewClient(sc.concurrency)
	defer client.CloseIdleConnections()
	// Keys are loaded before the clock starts: the run is about rotation
	// and outage, not the cold start (TestColdStartWithTheIssuerDown).
	if warm := securitytest.Load(client, srv.URL, 1, 1, nil, securitytest.NewMix(tr.Valid)); warm.Wrong() != 0 {
		t.Fatalf("warm-up: %s", warm.Examples())
	}

	stopSampling := sample(r)
	stop := make(chan struct{})
	done := make(chan struct{})
	r.tally = &securitytest.Tally{}
	start := time.Now()
	go func() {
		defer close(done)
		r.tally.Load(client, srv.URL, sc.concurrency, 0, stop, mix)
	}()
	// phase waits for the given fraction of the run, and records the
	// requests of the phase that ends.
	phase := func(name string, until float64) {
		<-time.After(time.Until(start.Add(time.Duration(until * float64(sc.duration)))))
		r.phases = append(r.phases, phaseResult{name, r.tally.Total(), time.Since(start)})
	}
	phase("healthy", 0.3)
	rotatedAt := time.Now()
	kid := iss.RotateTo(nextKey)
	mix.Add(rotated)
	phase("rotated", 0.5)
	iss.Set(securitytest.Down)
	phase("issuer down", 0.6)
	iss.Set(securitytest.Slow)
	phase("issuer hanging", 0.7)
	iss.Set(securitytest.Healthy)
	phase("recovered", 1)
	close(stop)
	<-done
	r.elapsed = time.Since(start)
	stopSampling()

	r.discovery, r.jwks = iss.Hits()
	r.attempts = srv.Keys.Fetches()
	r.logLines = lines.n.Load()
	served, ok := iss.FirstServed(kid)
	if !ok {
		t.Fatalf("the rotated-in key was never fetched")
	}
	r.rotationServed = served.Sub(rotatedAt)

	if r.tally.Wrong() != 0 {
		t.Errorf("%d of %d answers were wrong, e.g.\n  %s", r.tally.Wrong(), r.tally.Total(), strings.Join(r.tally.Examples(), "\n  "))
	}
	if r.tally.Count("rotated", http.StatusOK) == 0 || r.tally.Count("fresh", http.StatusOK) == 0 {
		t.Errorf("rotated-in or never-seen tokens were never accepted:\n%s", r.tally)
	}
	// The rotated key is fetched at the first refresh the rate limit
	// allows after the rotation: within one interval, plus the fetch. The
	// bound is loose because a busy machine delays everything; the fault
	// tests check "within one refresh" exactly, on a clock they drive.
	if limit := 5*minRefresh + 2*time.Second; r.rotationServed > limit {
		t.Errorf("the rotated key was fetched %s after the rotation, want within %s", r.rotationServed, limit)
	}
	// Unknown kids ask for a refresh all the time; the rate limit allows
	// one per interval. A refresh may cost two requests while the issuer
	// is down (Go's transport retries a GET on a cut connection), and
	// discovery once more when it failed before.
	intervals := int64(r.elapsed/minRefresh) + 2
	if r.jwks+r.discovery > 2*intervals {
		t.Errorf("the issuer got %d requests in %d refresh intervals, want at most %d", r.jwks+r.discovery, intervals, 2*intervals)
	}
}

// settle collects garbage until the goroutine count and heap are at most
// the given bounds, or a few seconds pass (connections and timers wind
// down asynchronously), and returns them. Zero bounds take one reading.
func settle(goroutines int, heap uint64) (int, uint64) {
	var ms runtime.MemStats
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		// Twice: sync.Pool keeps what it held (gzip writers, buffers) for
		// one more cycle.
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		n := runtime.NumGoroutine()
		if (n <= goroutines && ms.HeapAlloc <= heap) || goroutines == 0 || time.Now().After(deadline) {
			return n, ms.HeapAlloc
		}
	}
}

// sample records peak goroutines and memory until the returned func is
// called.
func sample(r *result) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			r.peakHeap = max(r.peakHeap, ms.HeapAlloc)
			r.peakSys = max(r.peakSys, ms.Sys)
			r.peakGoroutines = max(r.peakGoroutines, runtime.NumGoroutine())
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}

// lineCounter counts log lines without keeping them.
type lineCounter struct{ n atomic.Int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n.Add(int64(strings.Count(string(p), "\n")))
	return len(p), nil
}
