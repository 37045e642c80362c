package middleware_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/strategies/guard"
	"github.com/fnguard/fnguard/strategies/middleware"
)

func TestPersonaMatrix(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	strategytest.Run(t, middleware.Name, func(p *strategytest.Provider) guard.Handler {
		return middleware.New(p.Auth, log)
	}, strategytest.Options{})
}
