package securitytest

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is a class of request and the status it deserves.
type Kind struct {
	Name   string
	Path   string   // under the server's URL, e.g. /api/admin
	Tokens []string // bearer tokens, used in turn; none: no Authorization
	Status int      // the status it deserves
	// Mint, when set, makes a new token for every request instead: tokens
	// no cache has seen, so every one is verified against the keys.
	Mint func() string

	// Before, when set, is also right until the service first answers
	// Status: a key rotated in is unknown until a refresh fetches it.
	// From that answer on, Status is the only right answer for requests
	// sent later, as the service never forgets a key the issuer still
	// publishes.
	Before int

	next    atomic.Uint64
	learned atomic.Int64 // when Status was first received, Unix ns; 0: not yet
}

func (k *Kind) token() string {
	if k.Mint != nil {
		return k.Mint()
	}
	if len(k.Tokens) == 0 {
		return ""
	}
	return k.Tokens[k.next.Add(1)%uint64(len(k.Tokens))]
}

// deserves reports the status a request sent at sent must get, and the
// other status that is right too, if any.
func (k *Kind) deserves(sent time.Time) (status int, mayBe int) {
	if k.Before == 0 {
		return k.Status, k.Status
	}
	if learned := k.learned.Load(); learned != 0 && sent.UnixNano() > learned {
		return k.Status, k.Status
	}
	return k.Status, k.Before
}

// answered notes that status was received at, for deserves.
func (k *Kind) answered(status int, at time.Time) {
	if k.Before == 0 || status != k.Status {
		return
	}
	for {
		prev := k.learned.Load()
		if prev != 0 && prev <= at.UnixNano() || k.learned.CompareAndSwap(prev, at.UnixNano()) {
			return
		}
	}
}

// Mix is the set of kinds traffic is drawn from; a test changes it while
// traffic runs (a rotated key's tokens join after the rotation).
type Mix struct{ kinds atomic.Pointer[[]*Kind] }

// NewMix returns a Mix of kinds.
func NewMix(kinds ...*Kind) *Mix {
	m := &Mix{}
	m.Set(kinds...)
	return m
}

// Set replaces the kinds.
func (m *Mix) Set(kinds ...*Kind) { m.kinds.Store(&kinds) }

// Add adds kinds.
func (m *Mix) Add(kinds ...*Kind) { m.Set(append(slices.Clone(*m.kinds.Load()), kinds...)...) }

func (m *Mix) pick(i uint64) *Kind {
	kinds := *m.kinds.Load()
	return kinds[i%uint64(len(kinds))]
}

// Tally counts answers by kind and status; status 0 counts requests that
// got no answer at all (a transport error), which are always wrong.
type Tally struct {
	mu       sync.Mutex
	counts   map[string]map[int]int
	latency  map[string]*histogram
	total    int
	wrong    int
	window   int // answered Before inside a rotation window
	examples []string
}

func (t *Tally) record(k *Kind, sent time.Time, took time.Duration, status int, err error) {
	want, alt := k.deserves(sent)
	if err == nil {
		k.answered(status, sent.Add(took))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[string]map[int]int{}
		t.latency = map[string]*histogram{}
	}
	if t.counts[k.Name] == nil {
		t.counts[k.Name] = map[int]int{}
		t.latency[k.Name] = &histogram{}
	}
	t.counts[k.Name][status]++
	t.latency[k.Name].add(took)
	t.total++
	switch {
	case err == nil && status == want:
	case err == nil && status == alt:
		t.window++
	default:
		t.wrong++
		if len(t.examples) < 10 {
			t.examples = append(t.examples, fmt.Sprintf("%s %s: got %d (err %v), want %d", k.Name, k.Path, status, err, want))
		}
	}
}

// Total is the number of requests sent.
func (t *Tally) Total() int { t.mu.Lock(); defer t.mu.Unlock(); return t.total }

// Wrong is the number of answers that were not the deserved status.
func (t *Tally) Wrong() int { t.mu.Lock(); defer t.mu.Unlock(); return t.wrong }

// Window is the number of answers that were the alternative status allowed
// before a rotated key was served.
func (t *Tally) Window() int { t.mu.Lock(); defer t.mu.Unlock(); return t.window }

// Count returns how many requests of kind got status.
func (t *Tally) Count(kind string, status int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts[kind][status]
}

// Examples describes the first wrong answers.
func (t *Tally) Examples() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.examples)
}

// String is a table of counts: one line per kind, "status×count" pairs.
func (t *Tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.counts))
	for n := range t.counts {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		statuses := make([]int, 0, len(t.counts[n]))
		for s := range t.counts[n] {
			statuses = append(statuses, s)
		}
		sort.Ints(statuses)
		fmt.Fprintf(&b, "%-10s", n)
		for _, s := range statuses {
			fmt.Fprintf(&b, " %d×%d", s, t.counts[n][s])
		}
		h := t.latency[n]
		fmt.Fprintf(&b, "  latency p50 %s p99 %s max %s\n", h.quantile(0.5), h.quantile(0.99), h.max.Round(time.Microsecond))
	}
	fmt.Fprintf(&b, "total %d, wrong %d, rotation window %d", t.total, t.wrong, t.window)
	return b.String()
}

// Load sends requests drawn from mix in turn, from concurrency workers,
// until stop is closed or, when n > 0, n requests were sent. It returns
// when every request has been answered.
func Load(client *http.Client, base string, concurrency, n int, stop <-chan struct{}, mix *Mix) *Tally {
	t := &Tally{}
	t.Load(client, base, concurrency, n, stop, mix)
	return t
}

// Load is the package's Load, tallying into t, which another goroutine
// may read while it runs.
func (t *Tally) Load(client *http.Client, base string, concurrency, n int, stop <-chan struct{}, mix *Mix) {
	var seq atomic.Uint64
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := seq.Add(1)
				if n > 0 && i > uint64(n) {
					return
				}
				k := mix.pick(i)
				tok := k.token()
				sent := time.Now()
				status, err := get(client, base+k.Path, tok)
				t.record(k, sent, time.Since(sent), status, err)
			}
		})
	}
	wg.Wait()
}

// NewClient returns a client that keeps up to concurrency connections to
// one host alive, as a busy caller does.
func NewClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency},
	}
}

func get(client *http.Client, url, token string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// Read the body so the connection is reused, as real clients do.
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// histogram counts latencies in buckets growing by a quarter from 50µs,
// so a long run costs constant memory; quantiles are bucket upper bounds.
type histogram struct {
	buckets [96]int
	n       int
	max     time.Duration
}

const firstBucket = 50 * time.Microsecond

func (h *histogram) add(d time.Duration) {
	i, bound := 0, float64(firstBucket)
	for float64(d) > bound && i < len(h.buckets)-1 {
		i++
		bound *= 1.25
	}
	h.buckets[i]++
	h.n++
	h.max = max(h.max, d)
}

func (h *histogram) quantile(q float64) time.Duration {
	seen, bound := 0, float64(firstBucket)
	for _, c := range h.buckets {
		seen += c
		if float64(seen) >= q*float64(h.n) {
			return min(time.Duration(bound), h.max).Round(time.Microsecond)
		}
		bound *= 1.25
	}
	return h.max.Round(time.Microsecond)
}
