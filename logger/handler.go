package logger

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// handler is the slog.Handler New configures: it writes the lines slog's
// own JSONHandler or TextHandler would write, byte for byte, at a fraction
// of the cost for the attributes a request line has (strings, integers,
// booleans, durations). A record or attribute it does not format itself (a
// group, an error or any other value, a float, a time, a LogValuer, a key
// or message its fast path does not cover) is handed whole to slog's
// handler, built on the same writer with the same options; WithGroup
// returns slog's handler. FuzzHandler holds both to the same bytes.
type handler struct {
	json  bool
	level slog.Leveler
	out   io.Writer    // whole lines, one Write each, never interleaved
	pre   []byte       // attributes of WithAttrs, formatted, each with its leading separator
	slow  slog.Handler // slog's own handler with the same attributes
	stamp *stampCache  // shared by the handlers WithAttrs derives
}

// lockedWriter serializes the fast path's writes with slog's handler's,
// so that a line from one never interleaves with a line from the other.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func newHandler(w io.Writer, json bool, level slog.Leveler) *handler {
	if level == nil {
		level = slog.LevelInfo
	}
	// An AsyncWriter takes each Write whole under its own lock; any other
	// writer gets one here.
	out := w
	if _, ok := w.(*AsyncWriter); !ok {
		out = &lockedWriter{w: w}
	}
	opts := &slog.HandlerOptions{Level: level}
	h := &handler{json: json, level: level, out: out, stamp: new(stampCache)}
	if json {
		h.slow = slog.NewJSONHandler(out, opts)
	} else {
		h.slow = slog.NewTextHandler(out, opts)
	}
	return h
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	pre, ok := h.appendAttrs(h.pre[:len(h.pre):len(h.pre)], attrs)
	if !ok {
		return h.slow.WithAttrs(attrs)
	}
	return &handler{json: h.json, level: h.level, out: h.out, pre: pre, slow: h.slow.WithAttrs(attrs), stamp: h.stamp}
}

func (h *handler) WithGroup(name string) slog.Handler { return h.slow.WithGroup(name) }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	b, ok := h.appendRecord((*bp)[:0], r)
	*bp = b
	if !ok {
		return h.slow.Handle(ctx, r)
	}
	return h.write(b)
}

// putBuf returns a line buffer to the pool, unless a huge line grew it.
func putBuf(bp *[]byte) {
	if cap(*bp) <= 16<<10 {
		bufPool.Put(bp)
	}
}

// appendRecord formats r as slog would; false means it cannot.
func (h *handler) appendRecord(b []byte, r slog.Record) ([]byte, bool) {
	b, ok := h.appendHead(b, r.Time, r.Level, r.Message)
	if !ok {
		return b, false
	}
	r.Attrs(func(a slog.Attr) bool {
		b, ok = h.appendAttr(b, a)
		return ok
	})
	if !ok {
		return b, false
	}
	return h.appendEnd(b), true
}

// appendHead appends the time, level and message, then WithAttrs's
// attributes.
func (h *handler) appendHead(b []byte, t time.Time, level slog.Level, msg string) ([]byte, bool) {
	if h.json {
		b = append(b, '{')
	}
	if !t.IsZero() {
		t = t.Round(0)
		if y := t.Year(); y < 0 || y >= 10000 {
			return b, false
		}
		if h.json {
			b = append(b, `"time":"`...)
			b = h.stamp.append(b, t, true)
			b = append(b, `",`...)
		} else {
			b = append(b, "time="...)
			b = h.stamp.append(b, t, false)
			b = append(b, ' ')
		}
	}
	if h.json {
		b = append(b, `"level":"`...)
		b = append(b, level.String()...)
		b = append(b, `",`...)
	} else {
		b = append(b, "level="...)
		b = append(b, level.String()...)
		b = append(b, ' ')
	}
	b = h.appendKey(b, slog.MessageKey)
	b, ok := h.appendString(b, msg)
	return append(b, h.pre...), ok
}

func (h *handler) appendEnd(b []byte) []byte {
	if h.json {
		b = append(b, '}')
	}
	return append(b, '\n')
}

// write writes one line b under the writer's lock.
func (h *handler) write(b []byte) error {
	_, err := h.out.Write(b)
	return err
}

// logAttrs is log.LogAttrs(ctx, level, msg, attrs...) for the request
// middleware, with the time t (which the middleware has read for the
// duration already). When log's handler is New's, it formats the line
// straight from attrs: no slog.Record (which copies attributes past its
// fifth to the heap) and no look-up of the caller (which neither format
// prints).
func logAttrs(ctx context.Context, log *slog.Logger, t time.Time, level slog.Level, msg string, attrs ...slog.Attr) {
	h, ok := log.Handler().(*handler)
	if !ok {
		logRecord(ctx, log.Handler(), t, level, msg, attrs)
		return
	}
	if !h.Enabled(ctx, level) {
		return
	}
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	b, ok := h.appendHead((*bp)[:0], t, level, msg)
	if ok {
		b, ok = h.appendAttrs(b, attrs)
	}
	*bp = b
	if !ok {
		logRecord(ctx, h.slow, t, level, msg, attrs)
		return
	}
	_ = h.write(h.appendEnd(b))
}

// logRecord hands the line to a handler as slog.Logger.LogAttrs would, at
// time t.
func logRecord(ctx context.Context, h slog.Handler, t time.Time, level slog.Level, msg string, attrs []slog.Attr) {
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(t, level, msg, 0)
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

func (h *handler) sep(b []byte) []byte {
	if h.json {
		return append(b, ',')
	}
	return append(b, ' ')
}

func (h *handler) appendAttrs(b []byte, attrs []slog.Attr) ([]byte, bool) {
	ok := true
	for _, a := range attrs {
		if b, ok = h.appendAttr(b, a); !ok {
			break
		}
	}
	return b, ok
}

// appendAttr appends a separator and a, or says it cannot.
func (h *handler) appendAttr(b []byte, a slog.Attr) ([]byte, bool) {
	// Keys of letters, digits, '-', '_' and '.' need no quoting or escaping.
	if a.Key == "" || !plain(a.Key) {
		return b, false
	}
	b = h.sep(b)
	b = h.appendKey(b, a.Key)
	v := a.Value
	switch v.Kind() {
	case slog.KindString:
		return h.appendString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10), true
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10), true
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool()), true
	case slog.KindDuration:
		if h.json {
			return strconv.AppendInt(b, int64(v.Duration()), 10), true
		}
		// Digits, '.', '-' and unit letters (µ among them): never quoted.
		return append(b, v.Duration().String()...), true
	}
	return b, false
}

// appendKey appends a key known to need neither quoting nor escaping.
func (h *handler) appendKey(b []byte, k string) []byte {
	if h.json {
		b = append(b, '"')
		b = append(b, k...)
		return append(b, `":`...)
	}
	b = append(b, k...)
	return append(b, '=')
}

// appendString appends s as slog's handler would: quoted when text needs
// it, as a JSON string that needs no escape, or not at all (false).
func (h *handler) appendString(b []byte, s string) ([]byte, bool) {
	if h.json {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
				return b, false
			}
		}
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"'), true
	}
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s), true
	}
	return append(b, s...), true
}

// needsQuoting is log/slog's rule for text values: empty, or any space,
// '=', '"', control (DEL aside) or unprintable character, or invalid UTF-8.
func needsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// stampCache remembers the last second a line was stamped in, formatted:
// the lines of a busy server share their second, and formatting the date
// and time anew was most of a line's time stamp.
type stampCache struct {
	last atomic.Pointer[stamp]
}

type stamp struct {
	sec  int64 // t.Unix()
	loc  *time.Location
	text string // "2006-01-02T15:04:05"
	zone string // "Z" or "-07:00"
}

// append appends t as slog's handlers do: RFC 3339 with nanoseconds
// (json) or with milliseconds (text).
func (c *stampCache) append(b []byte, t time.Time, nanos bool) []byte {
	s := c.last.Load()
	if s == nil || s.sec != t.Unix() || s.loc != t.Location() {
		text := t.Truncate(time.Second).Format("2006-01-02T15:04:05Z07:00")
		s = &stamp{sec: t.Unix(), loc: t.Location(), text: text[:19], zone: text[19:]}
		c.last.Store(s)
	}
	b = append(b, s.text...)
	ns := t.Nanosecond()
	if nanos {
		// time.RFC3339Nano: the fraction without trailing zeros, and
		// none at all for a whole second.
		if ns != 0 {
			n := len(b)
			b = append(b, '.', '0', '0', '0', '0', '0', '0', '0', '0', '0')
			for i := n + 9; i > n; i-- {
				b[i] = byte('0' + ns%10)
				ns /= 10
			}
			for b[len(b)-1] == '0' {
				b = b[:len(b)-1]
			}
		}
	} else {
		ms := ns / 1e6
		b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	}
	return append(b, s.zone...)
}
