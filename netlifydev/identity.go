package netlifydev

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/fnguard/fnguard/config"
)

// readRules reads netlify.toml (NETLIFY_TOML): its role rules, and the
// Identity settings nf_jwt is checked with locally. No file is no rules.
func readRules(cfg config.Config, log *slog.Logger) (File, []Rule, config.Netlify, error) {
	data, err := os.ReadFile(cfg.Netlify.TOMLPath)
	if errors.Is(err, fs.ErrNotExist) {
		log.Warn("proxy-level strategy not served: no netlify.toml", "path", cfg.Netlify.TOMLPath)
		return File{}, nil, cfg.Netlify, nil
	}
	if err != nil {
		return File{}, nil, cfg.Netlify, fmt.Errorf("read %s: %w", cfg.Netlify.TOMLPath, err)
	}
	file, rules, err := Parse(data)
	if err != nil {
		return File{}, nil, cfg.Netlify, err
	}
	return file, rules, identityConfig(cfg, file), nil
}

// identityConfig is the Identity configuration used locally. Beside the
// development issuer, the file's [dev] table (what `netlify dev` reads)
// supplies the secret when NETLIFY_JWT_SECRET is unset, and the roles path.
// With a real issuer this is a server someone deploys, and only the
// environment counts: the [dev] secret is published with the code (anyone
// could sign an admin nf_jwt with it), and its roles path has not been
// through config's checks (one under user_metadata would let users grant
// themselves roles).
func identityConfig(cfg config.Config, file File) config.Netlify {
	nc := cfg.Netlify
	if !cfg.DevIssuer {
		return nc
	}
	if len(nc.JWTSecret) == 0 {
		nc.JWTSecret = []byte(file.Dev.JWTSecret)
	}
	if file.Dev.JWTRolePath != "" {
		nc.RolesPath = file.Dev.JWTRolePath
	}
	return nc
}

// IdentitySecret is the secret and roles path the local server checks
// nf_jwt with, for `go run . netlify-token` to sign with.
func IdentitySecret(cfg config.Config) ([]byte, string, error) {
	data, err := os.ReadFile(cfg.Netlify.TOMLPath)
	if err != nil {
		return nil, "", err
	}
	file, _, err := Parse(data)
	if err != nil {
		return nil, "", err
	}
	nc := identityConfig(cfg, file)
	if len(nc.JWTSecret) == 0 {
		return nil, "", errors.New("set NETLIFY_JWT_SECRET or [dev] jwtSecret in netlify.toml")
	}
	return nc.JWTSecret, nc.RolesPath, nil
}
