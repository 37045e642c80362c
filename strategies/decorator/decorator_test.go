package decorator_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/fnguard/fnguard/internal/strategytest"
	"github.com/fnguard/fnguard/strategies/decorator"
	"github.com/fnguard/fnguard/strategies/guard"
)

func TestPersonaMatrix(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	strategytest.Run(t, decorator.Name, func(p *strategytest.Provider) guard.Handler {
		return decorator.New(p.Auth, log)
	}, strategytest.Options{})
}
