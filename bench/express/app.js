// The seed's Node app, as the guide's express example builds it: express,
// cors, compression, morgan (one line per request, to stdout) and
// express-jwt with jwks-rsa (the JWKS cached and rate limited). It answers
// GET /api/public and GET /api/me with the bodies fnguard's routes write,
// for scripts/load.sh to load beside fnguard with the same issuer and token.
//
//   ISSUER=http://127.0.0.1:8080/dev-issuer/ AUDIENCE=https://api.fnguard.dev node app.js
const express = require('express');
const cors = require('cors');
const compression = require('compression');
const morgan = require('morgan');
const { expressjwt } = require('express-jwt');
const jwksRsa = require('jwks-rsa');

const issuer = process.env.ISSUER;
const audience = process.env.AUDIENCE || 'https://api.fnguard.dev';
const rolesClaim = process.env.ROLES_CLAIM || 'https://fnguard.dev/roles';
if (!issuer) {
  console.error('ISSUER is required (the issuer URL, ending in /)');
  process.exit(1);
}

const app = express();
app.disable('x-powered-by');
app.use(morgan('combined', { stream: process.stderr }));
app.use(cors({ origin: (process.env.CORS_ALLOWED_ORIGINS || '').split(',').filter(Boolean) }));
app.use(compression());

const checkJwt = expressjwt({
  secret: jwksRsa.expressJwtSecret({
    cache: true,
    rateLimit: true,
    jwksRequestsPerMinute: 5,
    jwksUri: `${issuer}.well-known/jwks.json`,
  }),
  audience,
  issuer,
  algorithms: ['RS256'],
});

app.get('/api/public', (req, res) => {
  res.json({ message: 'This is public: no token needed.' });
});

app.get('/api/me', checkJwt, (req, res) => {
  const a = req.auth;
  res.set('Cache-Control', 'private, no-store');
  res.json({
    sub: a.sub,
    roles: a[rolesClaim] || [],
    permissions: a.permissions || [],
    scopes: (a.scope || '').split(' ').filter(Boolean),
    expires_at: new Date(a.exp * 1000).toISOString().replace('.000Z', 'Z'),
  });
});

app.use((err, req, res, next) => {
  if (err.name === 'UnauthorizedError') {
    res.status(401).json({ error: 'unauthorized', message: err.message });
    return;
  }
  next(err);
});

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`express listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
