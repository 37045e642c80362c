// A signed-in session that outlives its access token. auth0-spa-js keeps
// the tokens in memory and, as the access token nears its expiry, trades
// the refresh token for new ones (rotation: each refresh token works once,
// and the issuer revokes the whole session if an old one comes back).
// Where that is impossible (no refresh token, or the issuer refuses it),
// the session ends with a message asking the person to sign in again,
// rather than letting every call answer 401.

export class Session {
  // auth is the Auth0Client; onToken(token) runs whenever the access token
  // changes (the page renews its nf_jwt cookie there); onEnd(reason) runs
  // once, when a session ends without the person signing out.
  constructor(auth, { onToken, onEnd }) {
    this.auth = auth;
    this.onToken = onToken;
    this.onEnd = onEnd;
    this.active = false;
    this.current = null;
    this.changed = null;
    this.timer = 0;
    this.ending = null;
  }

  get signedIn() {
    return this.active;
  }

  // start picks up the session auth0-spa-js holds after a sign-in, if any.
  async start() {
    this.active = await this.auth.isAuthenticated();
    if (this.active) await this.token();
  }

  // token returns a valid access token, renewed first if it is about to
  // expire, or null when there is no session (any more).
  async token() {
    if (!this.active) return null;
    try {
      const { access_token: token, expires_in: expiresIn } = await this.auth.getTokenSilently({ detailedResponse: true });
      // Every call waits for the cookie of the token it carries: calls that
      // start together share one renewal and must not outrun its onToken.
      if (token !== this.current) {
        this.current = token;
        this.changed = this.onToken(token);
      }
      await this.changed;
      this.watch(expiresIn);
      return token;
    } catch (err) {
      await this.end(err.error_description || err.message);
      return null;
    }
  }

  // watch looks again when the token expires, so that an idle page
  // notices a session that cannot be renewed, not only the next click.
  watch(expiresIn) {
    clearTimeout(this.timer);
    const seconds = Number(expiresIn) > 0 ? Number(expiresIn) : 60;
    this.timer = setTimeout(() => this.token(), seconds * 1000);
  }

  // end forgets the tokens (auth0-spa-js's cache too) without leaving the
  // page, and reports why, once however many calls found out at once.
  end(reason) {
    if (this.active) {
      this.stop();
      this.ending = this.auth.logout({ openUrl: false }).then(() => this.onEnd(reason));
    }
    return this.ending;
  }

  // stop forgets the session, for a sign-out.
  stop() {
    clearTimeout(this.timer);
    this.active = false;
    this.current = null;
  }
}
