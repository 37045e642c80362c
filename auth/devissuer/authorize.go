package devissuer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The sign-in flow is OAuth 2.0 authorization code with PKCE (RFC 6749,
// RFC 7636), shaped like Auth0's (/authorize, /oauth/token, /v2/logout) so
// that @auth0/auth0-spa-js runs against it unchanged. Instead of a password
// the user picks a persona.

const (
	// codeTTL is short because a code only has to survive one redirect;
	// RFC 6749 §4.1.2 asks for at most ten minutes.
	codeTTL = time.Minute
	// AccessTokenTTL is how long tokens from the sign-in flow last, unless
	// Issuer.AccessTTL says otherwise.
	AccessTokenTTL = 30 * time.Minute
	// maxPendingCodes bounds the memory a script hammering /authorize can
	// take: codes are never redeemed by such a script.
	maxPendingCodes = 1024
	maxFormBytes    = 16 << 10
)

// Client is a public OAuth client (a single-page app) allowed to sign in.
// It has no secret: PKCE proves that whoever redeems a code is whoever
// asked for it.
type Client struct {
	ID string
	// RedirectURIs are compared as exact strings, as RFC 9700 §2.1 asks:
	// prefix or pattern matching is how open redirects and code theft
	// happen. Sign-out returns only to these URIs too.
	RedirectURIs []string
}

type signIn struct {
	mu      sync.Mutex
	clients map[string]Client
	codes   map[string]grant
	refresh map[string]*refreshToken // by refreshKey (refresh.go)
}

// grant is what a code stands for until it is redeemed.
type grant struct {
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	scope       string
	persona     Persona
	expires     time.Time
	authTime    time.Time // for a refresh, when the user signed in
}

// RegisterClient allows c to sign users in. It fails on a redirect URI that
// is not an absolute http(s) URL without a fragment (RFC 6749 §3.1.2).
func (i *Issuer) RegisterClient(c Client) error {
	if c.ID == "" {
		return errors.New("register client: empty client id")
	}
	for _, raw := range c.RedirectURIs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("register client %s: redirect URI %q: want an absolute http(s) URL without fragment", c.ID, raw)
		}
	}
	i.signIn.mu.Lock()
	defer i.signIn.mu.Unlock()
	if i.signIn.clients == nil {
		i.signIn.clients = map[string]Client{}
	}
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	i.signIn.clients[c.ID] = c
	return nil
}

func (i *Issuer) client(id string) (Client, bool) {
	i.signIn.mu.Lock()
	defer i.signIn.mu.Unlock()
	c, ok := i.signIn.clients[id]
	return c, ok
}

// AllowsOrigin reports whether origin is the origin of a registered
// redirect URI: only those pages may read the token endpoint's answers (nor
// those of the development endpoints served beside it).
func (i *Issuer) AllowsOrigin(origin string) bool {
	i.signIn.mu.Lock()
	defer i.signIn.mu.Unlock()
	for _, c := range i.signIn.clients {
		for _, raw := range c.RedirectURIs {
			if u, err := url.Parse(raw); err == nil && u.Scheme+"://"+u.Host == origin {
				return true
			}
		}
	}
	return false
}

func (i *Issuer) signInDiscovery() map[string]any {
	return map[string]any{
		"authorization_endpoint":                         i.URL + "authorize",
		"token_endpoint":                                 i.URL + "oauth/token",
		"end_session_endpoint":                           i.URL + "v2/logout",
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query"},
		"grant_types_supported":                          []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"none"},
		"subject_types_supported":                        []string{"public"},
		"scopes_supported":                               []string{"openid", "profile", "email", offlineAccess},
		"authorization_response_iss_parameter_supported": true,
	}
}

func (i *Issuer) signInRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /authorize", i.handleAuthorizePage)
	mux.HandleFunc("POST /authorize", i.handleAuthorizeSubmit)
	mux.HandleFunc("POST /oauth/token", i.handleToken)
	mux.HandleFunc("OPTIONS /oauth/token", i.handleTokenPreflight)
	mux.HandleFunc("GET /v2/logout", i.handleLogout)
}

// authorizeRequest holds the parameters of an authorization request, once
// its client and redirect URI are known to be registered.
type authorizeRequest struct {
	client      Client
	redirectURI string
	state       string
	params      url.Values // every parameter, carried through the persona form
}

// authorizeParams are the parameters the persona form carries from the
// page to its submission; anything else is dropped.
var authorizeParams = []string{
	"client_id", "redirect_uri", "response_type", "response_mode", "state",
	"nonce", "code_challenge", "code_challenge_method", "audience", "scope", "prompt",
}

// errUnsafeRedirect marks errors that must be shown on the issuer's page:
// with an unknown client or redirect URI there is nowhere safe to send the
// user back to (RFC 6749 §4.1.2.1), and redirecting anyway is an open
// redirect.
var errUnsafeRedirect = errors.New("cannot redirect")

// oauthError is an error the protocol lets us return to the client.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

// parseAuthorize checks an authorization request. An error wrapping
// errUnsafeRedirect goes on a page; an *oauthError goes back to the
// client's redirect URI.
func (i *Issuer) parseAuthorize(v url.Values) (authorizeRequest, error) {
	// RFC 6749 §3.1: parameters MUST NOT be included more than once. Two
	// redirect URIs leave no single safe place to answer.
	for _, name := range []string{"client_id", "redirect_uri"} {
		if len(v[name]) > 1 {
			return authorizeRequest{}, fmt.Errorf("%w: %s is repeated", errUnsafeRedirect, name)
		}
	}
	c, ok := i.client(v.Get("client_id"))
	if !ok {
		return authorizeRequest{}, fmt.Errorf("%w: unknown client_id", errUnsafeRedirect)
	}
	redirectURI := v.Get("redirect_uri")
	if !slices.Contains(c.RedirectURIs, redirectURI) {
		return authorizeRequest{}, fmt.Errorf("%w: redirect_uri is not registered for this client", errUnsafeRedirect)
	}
	req := authorizeRequest{client: c, redirectURI: redirectURI, state: v.Get("state"), params: url.Values{}}
	for _, name := range authorizeParams {
		if len(v[name]) > 1 {
			return req, &oauthError{"invalid_request", name + " is repeated"}
		}
		if s := v.Get(name); s != "" {
			req.params.Set(name, s)
		}
	}
	switch {
	case v.Get("response_type") != "code":
		return req, &oauthError{"unsupported_response_type", "only response_type=code is supported"}
	case v.Get("response_mode") != "" && v.Get("response_mode") != "query":
		return req, &oauthError{"invalid_request", "only response_mode=query is supported"}
	case v.Get("code_challenge") == "":
		return req, &oauthError{"invalid_request", "PKCE is required: send code_challenge and code_challenge_method=S256"}
	case v.Get("code_challenge_method") != "S256":
		// "plain" sends the verifier itself through the browser, where
		// PKCE is meant to protect it (RFC 9700 §2.1.1).
		return req, &oauthError{"invalid_request", "code_challenge_method must be S256"}
	case !isS256Challenge(v.Get("code_challenge")):
		return req, &oauthError{"invalid_request", "code_challenge must be a base64url SHA-256 digest"}
	case v.Get("audience") != "" && v.Get("audience") != i.Audience:
		return req, &oauthError{"access_denied", "unknown audience"}
	case !slices.Contains(strings.Fields(v.Get("scope")), "openid"):
		return req, &oauthError{"invalid_scope", "scope must include openid"}
	case slices.Contains(strings.Fields(v.Get("prompt")), "none"):
		// The issuer keeps no session: it cannot sign anyone in silently.
		return req, &oauthError{"login_required", "pick a persona to sign in"}
	}
	return req, nil
}

func isS256Challenge(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

func (i *Issuer) handleAuthorizePage(w http.ResponseWriter, r *http.Request) {
	req, err := i.parseAuthorize(r.URL.Query())
	if err != nil {
		i.authorizeFailed(w, r, req, err)
		return
	}
	writeSignInPage(w, req)
}

func (i *Issuer) handleAuthorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, http.StatusBadRequest, "The sign-in form could not be read.")
		return
	}
	req, err := i.parseAuthorize(r.PostForm)
	if err != nil {
		i.authorizeFailed(w, r, req, err)
		return
	}
	if r.PostForm.Has("cancel") {
		i.redirectBack(w, r, req, url.Values{"error": {"access_denied"}, "error_description": {"the user cancelled sign-in"}})
		return
	}
	p, err := LookupPersona(r.PostForm.Get("persona"))
	if err != nil {
		writeErrorPage(w, http.StatusBadRequest, "Pick one of the personas offered.")
		return
	}
	code, err := i.newCode(grant{
		clientID:    req.client.ID,
		redirectURI: req.redirectURI,
		challenge:   req.params.Get("code_challenge"),
		nonce:       req.params.Get("nonce"),
		scope:       req.params.Get("scope"),
		persona:     p,
	})
	if err != nil {
		i.redirectBack(w, r, req, url.Values{"error": {"temporarily_unavailable"}, "error_description": {err.Error()}})
		return
	}
	i.redirectBack(w, r, req, url.Values{"code": {code}})
}

func (i *Issuer) authorizeFailed(w http.ResponseWriter, r *http.Request, req authorizeRequest, err error) {
	var oe *oauthError
	if errors.As(err, &oe) {
		i.redirectBack(w, r, req, url.Values{"error": {oe.Code}, "error_description": {oe.Description}})
		return
	}
	writeErrorPage(w, http.StatusBadRequest, "This sign-in request cannot be completed: "+strings.TrimPrefix(err.Error(), errUnsafeRedirect.Error()+": ")+".")
}

// redirectBack sends the browser to the registered redirect URI with the
// response, its state, and the issuer (RFC 9207, against mix-up attacks).
func (i *Issuer) redirectBack(w http.ResponseWriter, r *http.Request, req authorizeRequest, resp url.Values) {
	u, err := url.Parse(req.redirectURI)
	if err != nil {
		// Registered URIs were parsed at registration.
		writeErrorPage(w, http.StatusInternalServerError, "The redirect URI is not valid.")
		return
	}
	q := u.Query()
	for k, v := range resp {
		q[k] = v
	}
	if req.state != "" {
		q.Set("state", req.state)
	}
	q.Set("iss", i.URL)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

func (i *Issuer) newCode(g grant) (string, error) {
	now := i.now()
	g.expires = now.Add(codeTTL)
	code := randomID()
	i.signIn.mu.Lock()
	defer i.signIn.mu.Unlock()
	if i.signIn.codes == nil {
		i.signIn.codes = map[string]grant{}
	}
	for c, old := range i.signIn.codes {
		if !now.Before(old.expires) {
			delete(i.signIn.codes, c)
		}
	}
	if len(i.signIn.codes) >= maxPendingCodes {
		return "", errors.New("too many sign-ins in progress; try again in a minute")
	}
	i.signIn.codes[code] = g
	return code, nil
}

// redeem removes the code whatever happens next: a code is good for one
// attempt (RFC 6749 §4.1.2), so a guessed verifier cannot be retried.
func (i *Issuer) redeem(code string) (grant, bool) {
	i.signIn.mu.Lock()
	defer i.signIn.mu.Unlock()
	g, ok := i.signIn.codes[code]
	delete(i.signIn.codes, code)
	return g, ok && i.now().Before(g.expires)
}

// tokenResponse is the token endpoint's answer (RFC 6749 §5.1, OIDC §3.1.3.3).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	// RefreshToken is sent when the sign-in asked for offline_access.
	RefreshToken string `json:"refresh_token,omitempty"`
}

func (i *Issuer) handleToken(w http.ResponseWriter, r *http.Request) {
	i.allowCORS(w, r)
	w.Header().Set("Cache-Control", "no-store")
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		writeOAuthError(w, http.StatusBadRequest, &oauthError{"invalid_request", "send the request as application/x-www-form-urlencoded"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, &oauthError{"invalid_request", "the request body could not be read"})
		return
	}
	f := r.PostForm
	for name, vs := range f {
		if len(vs) > 1 {
			writeOAuthError(w, http.StatusBadRequest, &oauthError{"invalid_request", name + " is repeated"})
			return
		}
	}
	if _, ok := i.client(f.Get("client_id")); !ok {
		writeOAuthError(w, http.StatusUnauthorized, &oauthError{"invalid_client", "unknown client_id"})
		return
	}
	var (
		resp tokenResponse
		oe   *oauthError
	)
	switch f.Get("grant_type") {
	case "authorization_code":
		resp, oe = i.codeGrant(f)
	case "refresh_token":
		resp, oe = i.refreshGrant(f)
	default:
		oe = &oauthError{"unsupported_grant_type", "only authorization_code and refresh_token are supported"}
	}
	if oe != nil {
		status := http.StatusBadRequest
		switch oe.Code {
		case "server_error":
			status = http.StatusInternalServerError
		case "temporarily_unavailable":
			status = http.StatusServiceUnavailable
		}
		writeOAuthError(w, status, oe)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(resp)
}

// codeGrant redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
func (i *Issuer) codeGrant(f url.Values) (tokenResponse, *oauthError) {
	g, ok := i.redeem(f.Get("code"))
	switch {
	case !ok:
		return tokenResponse{}, &oauthError{"invalid_grant", "the code is unknown, expired or already used"}
	case g.clientID != f.Get("client_id"):
		return tokenResponse{}, &oauthError{"invalid_grant", "the code was issued to another client"}
	case g.redirectURI != f.Get("redirect_uri"):
		// RFC 6749 §4.1.3: the same redirect_uri as in the request.
		return tokenResponse{}, &oauthError{"invalid_grant", "redirect_uri does not match the authorization request"}
	case !verifierMatches(f.Get("code_verifier"), g.challenge):
		return tokenResponse{}, &oauthError{"invalid_grant", "code_verifier does not match the code_challenge"}
	}
	refresh, err := i.startFamily(g)
	if err != nil {
		return tokenResponse{}, &oauthError{"temporarily_unavailable", err.Error()}
	}
	return i.respond(g, refresh)
}

// refreshGrant trades a refresh token for new tokens and its successor
// (RFC 6749 §6).
func (i *Issuer) refreshGrant(f url.Values) (tokenResponse, *oauthError) {
	g, next, oe := i.rotate(f.Get("refresh_token"), f.Get("client_id"), f.Get("scope"))
	if oe != nil {
		return tokenResponse{}, oe
	}
	return i.respond(g, next)
}

func (i *Issuer) respond(g grant, refresh string) (tokenResponse, *oauthError) {
	resp, err := i.tokensFor(g)
	if err != nil {
		return tokenResponse{}, &oauthError{"server_error", "could not sign the tokens"}
	}
	resp.RefreshToken = refresh
	return resp, nil
}

// verifierMatches checks a PKCE verifier (RFC 7636 §4.1: 43 to 128
// unreserved characters) against its S256 challenge.
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, c := range []byte(verifier) {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func (i *Issuer) tokensFor(g grant) (tokenResponse, error) {
	ttl := i.accessTTL()
	claims := i.Claims(g.persona, ttl)
	claims["azp"] = g.clientID
	access, err := i.Sign(claims)
	if err != nil {
		return tokenResponse{}, err
	}
	now := i.now()
	authTime := g.authTime
	if authTime.IsZero() {
		authTime = now
	}
	idClaims := map[string]any{
		"iss":       i.URL,
		"sub":       g.persona.Subject,
		"aud":       g.clientID,
		"iat":       now.Unix(),
		"exp":       expiry(now, ttl),
		"auth_time": authTime.Unix(),
		"name":      g.persona.Name + " user",
		"nickname":  g.persona.Name,
	}
	if g.nonce != "" {
		idClaims["nonce"] = g.nonce
	}
	id, err := i.Sign(idClaims)
	if err != nil {
		return tokenResponse{}, err
	}
	return tokenResponse{AccessToken: access, IDToken: id, TokenType: "Bearer", ExpiresIn: int(ttl.Seconds()), Scope: g.scope}, nil
}

// allowCORS lets the registered single-page apps read the token endpoint's
// answers; any other origin gets no CORS headers, so its browser keeps the
// answer from it.
func (i *Issuer) allowCORS(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || !i.AllowsOrigin(origin) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	return true
}

func (i *Issuer) handleTokenPreflight(w http.ResponseWriter, r *http.Request) {
	if !i.allowCORS(w, r) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	// auth0-spa-js sends its name and version in Auth0-Client.
	h.Set("Access-Control-Allow-Headers", "Content-Type, Auth0-Client")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// handleLogout ends nothing (the issuer keeps no session) but sends the
// browser back the way Auth0's /v2/logout does, to a registered URI only.
func (i *Issuer) handleLogout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	returnTo := q.Get("returnTo")
	if returnTo == "" {
		writeErrorPage(w, http.StatusOK, "You are signed out.")
		return
	}
	c, ok := i.client(q.Get("client_id"))
	if !ok || !slices.Contains(c.RedirectURIs, returnTo) {
		writeErrorPage(w, http.StatusBadRequest, "You are signed out, but returnTo is not a registered URI of this client, so you stay here.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

func writeOAuthError(w http.ResponseWriter, status int, e *oauthError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(e)
}

func mergeMaps(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}
