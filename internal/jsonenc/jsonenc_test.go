package jsonenc

import (
	"encoding/json"
	"testing"
	"time"
)

func TestStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and backslash \`, "tab\tnewline\nreturn\rbell\a", "\x00\x1f\x7f",
		"<script>&amp;</script>", "line\u2028para\u2029", "bad utf-8 \xff\xfe end", "é 日本 🙂", "dev|paid-user",
	} {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, encoding/json %s", s, got, want)
		}
	}
}

func TestStringsAndTimeMatchEncodingJSON(t *testing.T) {
	for _, ss := range [][]string{nil, {}, {"a"}, {"read:profile", "<x>"}} {
		want, _ := json.Marshal(ss)
		if got := Strings(nil, ss); string(got) != string(want) {
			t.Errorf("Strings(%q) = %s, encoding/json %s", ss, got, want)
		}
	}
	for _, tm := range []time.Time{time.Unix(1795516200, 0).UTC(), time.Unix(1795516200, 123456789).UTC(), {}} {
		want, _ := json.Marshal(tm)
		if got := Time(nil, tm); string(got) != string(want) {
			t.Errorf("Time(%v) = %s, encoding/json %s", tm, got, want)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028", "\xff", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Fatalf("String(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}
