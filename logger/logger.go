// Package logger builds the service's slog.Logger and the middleware that
// writes one structured line per request.
//
// Credentials never reach a log line: the middleware logs the path without
// its query string (clients do put tokens there), masks path segments that
// look like JWTs, and never reads the Authorization or Cookie headers.
package logger

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// New returns a logger writing JSON (format "json", for Lambda and log
// pipelines) or logfmt-style text (format "text", for a terminal).
// The lines are slog's JSONHandler's or TextHandler's, byte for byte, from
// a faster handler (handler.go).
func New(w io.Writer, format string, level slog.Level) *slog.Logger {
	return slog.New(newHandler(w, format == "json", level))
}

// ParseLevel parses LOG_LEVEL: debug, info, warn or error (any case).
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}
