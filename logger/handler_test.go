package logger

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"testing"
	"time"
)

// slogLines logs the same record through slog's own handler and through
// ours, for each format, and returns both outputs.
func bothOutputs(t testing.TB, json bool, withAttrs []slog.Attr, group string, level slog.Level, msg string, tm time.Time, attrs []slog.Attr) (want, got string) {
	t.Helper()
	var wb, gb bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	var std slog.Handler = slog.NewTextHandler(&wb, opts)
	if json {
		std = slog.NewJSONHandler(&wb, opts)
	}
	var ours slog.Handler = newHandler(&gb, json, slog.LevelDebug)
	if len(withAttrs) > 0 {
		std, ours = std.WithAttrs(withAttrs), ours.WithAttrs(withAttrs)
	}
	if group != "" {
		std, ours = std.WithGroup(group), ours.WithGroup(group)
	}
	for _, h := range []slog.Handler{std, ours} {
		r := slog.NewRecord(tm, level, msg, 0)
		r.AddAttrs(attrs...)
		if err := h.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	return wb.String(), gb.String()
}

// stampedOutputs logs a line at each of times through one handler of
// slog's and one of ours, and returns both outputs.
func stampedOutputs(t testing.TB, json bool, times []time.Time) (want, got string) {
	t.Helper()
	var wb, gb bytes.Buffer
	var std slog.Handler = slog.NewTextHandler(&wb, nil)
	if json {
		std = slog.NewJSONHandler(&wb, nil)
	}
	ours := newHandler(&gb, json, slog.LevelInfo)
	for _, h := range []slog.Handler{std, ours} {
		for _, tm := range times {
			if y := tm.Year(); y < 0 || y >= 10000 {
				continue // slog's own handler formats those; ours hands them over
			}
			if err := h.Handle(context.Background(), slog.NewRecord(tm, slog.LevelInfo, "m", 0)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return wb.String(), gb.String()
}

// TestTimeStampsAreSlogs: the remembered second never stamps a line of
// another second or zone.
func TestTimeStampsAreSlogs(t *testing.T) {
	base := time.Date(2026, 11, 30, 23, 59, 59, 999_999_999, time.UTC)
	east, west := time.FixedZone("east", 5*3600+30*60), time.FixedZone("west", -7*3600)
	times := []time.Time{
		base, base.Add(-time.Millisecond), base.Add(-999_999_998), base.Add(time.Nanosecond),
		base.Add(time.Nanosecond).In(east), base.In(west), base.In(west).Add(time.Second),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 100, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120_000_000, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 500_000_000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, east), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Now(), time.Now().Add(time.Hour),
	}
	for _, json := range []bool{false, true} {
		if want, got := stampedOutputs(t, json, times); got != want {
			t.Errorf("json=%v\n got %s\nwant %s", json, got, want)
		}
	}
}

func TestHandlerWritesWhatSlogWrites(t *testing.T) {
	tm := time.Date(2026, 11, 30, 21, 22, 40, 123456789, time.UTC)
	request := []slog.Attr{
		slog.String("method", "GET"), slog.String("path", "/api/me"), slog.String("route", "/api/me"),
		slog.Int("status", 200), slog.Int("bytes", 97), slog.Duration("duration", 12345*time.Nanosecond),
		slog.String("request_id", "8f2a-1c"), slog.String("sub", "auth0|abc"),
	}
	tests := []struct {
		name      string
		withAttrs []slog.Attr
		group     string
		level     slog.Level
		msg       string
		time      time.Time
		attrs     []slog.Attr
	}{
		{name: "a request line", level: slog.LevelInfo, msg: "request", time: tm, attrs: request},
		{name: "a denial with logger attributes", withAttrs: []slog.Attr{slog.String("fn", "api")}, level: slog.LevelWarn, msg: "access denied", time: tm, attrs: request},
		{name: "values that text quotes", level: slog.LevelError, msg: "two words", time: tm, attrs: []slog.Attr{
			slog.String("empty", ""), slog.String("eq", "a=b"), slog.String("quote", `say "hi"`), slog.String("tab", "a\tb"),
			slog.String("backslash", `a\b`), slog.String("del", "a\x7fb"), slog.String("unicode", "héllo"), slog.String("nbsp", "a\u00a0b"),
			slog.String("bad utf8", "a\xffb"), slog.Bool("ok", true), slog.Uint64("big", math.MaxUint64), slog.Int64("neg", -5),
		}},
		{name: "values the fast path hands to slog", level: slog.LevelInfo + 2, msg: "line\nbreak", time: tm, attrs: []slog.Attr{
			slog.Any("err", errors.New("boom")), slog.Float64("f", 1.5), slog.Time("at", tm), slog.Group("g", slog.Int("a", 1)),
		}},
		{name: "a zero time", level: slog.LevelDebug, msg: "m", attrs: request},
		{name: "a group", group: "req", level: slog.LevelInfo, msg: "m", time: tm, attrs: request},
		{name: "an unusual logger attribute", withAttrs: []slog.Attr{slog.Any("err", errors.New("x"))}, level: slog.LevelInfo, msg: "m", time: tm, attrs: request},
		{name: "an empty attribute", level: slog.LevelInfo, msg: "m", time: tm, attrs: []slog.Attr{{}, slog.String("a", "b")}},
	}
	for _, tt := range tests {
		for _, json := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				want, got := bothOutputs(t, json, tt.withAttrs, tt.group, tt.level, tt.msg, tt.time, tt.attrs)
				if got != want {
					t.Errorf("json=%v\n got %q\nwant %q", json, got, want)
				}
			})
		}
	}
}

func TestHandlerHonoursItsLevel(t *testing.T) {
	var b bytes.Buffer
	log := New(&b, "json", slog.LevelWarn)
	log.Info("dropped")
	log.Warn("kept")
	if got, want := b.String(), `"msg":"kept"`; !bytes.Contains([]byte(got), []byte(want)) || bytes.Contains([]byte(got), []byte("dropped")) {
		t.Errorf("output %q: want only the warning", got)
	}
}

// FuzzHandler holds the handler to slog's own, byte for byte, in both
// formats, for any message, keys and values of each kind it formats.
func FuzzHandler(f *testing.F) {
	f.Add("request", "path", "/api/me", "route", int64(200), uint64(97), true, int64(12345), int64(1764537760123456789), int8(0))
	f.Add("a b", "k=v", `"q"`, "", int64(-1), uint64(0), false, int64(-3), int64(0), int8(4))
	f.Add("é\x00", "ünï", "a\xffb\u2028", "x y", int64(math.MinInt64), uint64(math.MaxUint64), true, int64(math.MaxInt64), int64(-62135596800000000), int8(-4))
	f.Fuzz(func(t *testing.T, msg, k1, v1, k2 string, i int64, u uint64, bo bool, d int64, ns int64, lvl int8) {
		attrs := []slog.Attr{slog.String(k1, v1), slog.Int64(k2, i), slog.Uint64("u", u), slog.Bool("b", bo), slog.Duration("d", time.Duration(d))}
		tm := time.Unix(0, ns).UTC()
		for _, json := range []bool{false, true} {
			want, got := bothOutputs(t, json, []slog.Attr{slog.String(k2, v1)}, "", slog.Level(lvl), msg, tm, attrs)
			if got != want {
				t.Fatalf("json=%v\n got %q\nwant %q", json, got, want)
			}
			// Lines stamped one after another: the same second (the
			// remembered stamp), another zone, the next second.
			zone := time.FixedZone("", int(i%(18*3600)))
			times := []time.Time{tm, tm.Add(time.Duration(u % uint64(time.Second))), tm.In(zone), tm.Add(time.Duration(d % int64(2*time.Second)))}
			want, got = stampedOutputs(t, json, times)
			if got != want {
				t.Fatalf("json=%v, times %v\n got %q\nwant %q", json, times, got, want)
			}
		}
	})
}

// The comparisons above would pass with every record handed to slog; this
// one makes sure a request line takes the fast path in both formats.
func TestHandlerFormatsARequestLineItself(t *testing.T) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("method", "GET"), slog.String("path", "/api/me"), slog.Int("status", 200),
		slog.Duration("duration", time.Millisecond), slog.String("request_id", "ab-1"))
	for _, json := range []bool{false, true} {
		h := newHandler(nil, json, nil).WithAttrs([]slog.Attr{slog.String("fn", "api")}).(*handler)
		if _, ok := h.appendRecord(nil, r); !ok {
			t.Errorf("json=%v: the request line went to slog's handler", json)
		}
	}
}
