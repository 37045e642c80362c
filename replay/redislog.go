package replay

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// RouteRedisLog sends what the Redis client prints by itself (a pool that
// cannot dial, a lost connection) through l, so a Lambda's output stays one
// JSON object a line; by default it writes plain text to stderr. The
// client's logger is the process's: call it once, from the function's
// setup. Its lines name addresses and errors, never the URL's password.
func RouteRedisLog(l *slog.Logger) { redis.SetLogger(redisLog{l}) }

type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis client", "message", fmt.Sprintf(format, v...))
}
