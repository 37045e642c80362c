package logger

import (
	"encoding/json"
	"log"
	"log/slog"
	"strings"
)

// RouteStdLog sends what the standard log package prints through l, so a
// Lambda's output stays one JSON object a line. aws-lambda-go prints a
// failed invocation's error there ({"errorMessage":..,"errorType":..},
// behind a text timestamp); it becomes a "function error" line with the
// message and type as attributes. Any other line is kept whole as
// "message". Call it once, from main: the standard logger is the process's.
func RouteStdLog(l *slog.Logger) {
	log.SetFlags(0)
	log.SetPrefix("")
	log.SetOutput(stdLogWriter{l})
}

type stdLogWriter struct{ l *slog.Logger }

func (w stdLogWriter) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	var fe struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	if json.Unmarshal([]byte(line), &fe) == nil && fe.Message != "" {
		w.l.Warn("function error", "error_message", fe.Message, "error_type", fe.Type)
	} else {
		w.l.Warn("runtime library", "message", line)
	}
	return len(p), nil
}
