// Package authlog reports what package auth decides on the request's log
// line (package logger): the verified caller's subject, and why a request
// was refused. auth itself logs nothing and imports nothing of this
// module's; the flagship's router and handlers pass Options to it.
package authlog

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/fnguard/fnguard/auth"
	"github.com/fnguard/fnguard/logger"
)

// Options are the auth options every net/http use of package auth in this
// module passes: Authenticate, Require and WriteError.
func Options() []auth.Option {
	return []auth.Option{auth.OnAuthenticated(authenticated), auth.OnDenied(denied)}
}

func authenticated(r *http.Request, p *auth.Principal) {
	logger.Set(r.Context(), slog.String("sub", p.Subject))
}

// denied attaches the reason for a denial to the request's log line (see
// logger.Audit): the reason, the subject and key id when known.
func denied(r *http.Request, err error, d auth.Denial) {
	attrs := []slog.Attr{slog.String("error", d.Code), slog.String("reason", err.Error())}
	var e *auth.Error
	if errors.As(err, &e) {
		if e.Subject != "" {
			attrs = append(attrs, slog.String("sub", e.Subject))
		}
		if e.KeyID != "" {
			attrs = append(attrs, slog.String("kid", e.KeyID))
		}
	}
	logger.Audit(r.Context(), attrs...)
}
