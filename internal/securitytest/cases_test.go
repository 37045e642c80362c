package securitytest

import (
	"encoding/json"
	"math"
	"strings"
	"time"
)

// hostileCase is one request of the suite and the status it deserves.
type hostileCase struct {
	name   string
	req    request
	status int    // on the local server, and in Lambda unless lambda says otherwise
	lambda int    // in Lambda, when it differs: no HTTP server parses the request there
	code   string // the "error" member of the body, when it matters
}

const (
	invalid      = "invalid_token"
	unauthorized = "unauthorized"
	forbidden    = "insufficient_scope"
	// expired is invalid_token with the message that tells a client to
	// refresh its token.
	expired = "expired"
)

// bearer is a GET of path with "Authorization: Bearer tok".
func bearer(path, tok string) request {
	return request{target: path, header: [][2]string{{"Authorization", "Bearer " + tok}}}
}

func authz(path string, values ...string) request {
	r := request{target: path}
	for _, v := range values {
		r.header = append(r.header, [2]string{"Authorization", v})
	}
	return r
}

// hostileCases is the suite. Tokens are made for iss; trapURL is a server
// that header-named keys (jku, x5u) would be fetched from.
func hostileCases(f forger, trapURL string) []hostileCase {
	iss := f.iss
	kid := iss.Signer().KeyID()
	admin := iss.Token(f.t, "admin", time.Hour)
	free := iss.Token(f.t, "free", time.Hour)
	paid := iss.Token(f.t, "paid", time.Hour)
	adminClaims := f.claims(nil)
	ah, ac, as := segments(admin)
	fh, fc, fs := segments(free)
	// The free token's own claims, with the admin role added.
	var raised map[string]any
	rawClaims, _ := b64.DecodeString(fc)
	_ = json.Unmarshal(rawClaims, &raised)
	raised[iss.RolesClaim] = []string{"admin"}
	set := func(name string, v any) map[string]any {
		return f.claims(func(c map[string]any) { c[name] = v })
	}
	del := func(name string) map[string]any {
		return f.claims(func(c map[string]any) { delete(c, name) })
	}
	now := time.Now()

	return []hostileCase{
		// The controls: the suite can tell a good token from a bad one.
		{"valid admin token is 200", bearer("/api/admin", admin), 200, 0, ""},
		{"free user on /admin is 403", bearer("/api/admin", free), 403, 0, forbidden},
		{"paid user on /admin is 403", bearer("/api/admin", paid), 403, 0, forbidden},
		{"free user on /paid is 403", bearer("/api/paid", free), 403, 0, forbidden},

		// Forged signatures.
		{"alg none is 401", bearer("/api/admin", f.unsigned(header(kid, map[string]any{"alg": "none"}), adminClaims)), 401, 0, invalid},
		{"alg None is 401", bearer("/api/admin", f.unsigned(header(kid, map[string]any{"alg": "None"}), adminClaims)), 401, 0, invalid},
		{"alg NONE is 401", bearer("/api/admin", f.unsigned(header(kid, map[string]any{"alg": "NONE"}), adminClaims)), 401, 0, invalid},
		{"alg nOnE with a real signature is 401", bearer("/api/admin", f.sign(map[string]any{"alg": "nOnE"}, adminClaims)), 401, 0, invalid},
		{"HS256 keyed with the issuer's public key PEM is 401", bearer("/api/admin", f.hs256(f.publicPEM(), adminClaims)), 401, 0, invalid},
		{"HS256 keyed with the issuer's public key DER is 401", bearer("/api/admin", f.hs256(f.publicDER(), adminClaims)), 401, 0, invalid},
		{"stripped signature is 401", bearer("/api/admin", ah+"."+ac+"."), 401, 0, invalid},
		{"missing signature segment is 401", bearer("/api/admin", ah+"."+ac), 401, 0, invalid},
		{"free token's claims under the admin token's signature is 401", bearer("/api/admin", ah+"."+fc+"."+as), 401, 0, invalid},
		{"free token with roles raised to admin, signature kept, is 401", bearer("/api/admin",
			fh+"."+b64.EncodeToString(mustJSON(raised))+"."+fs), 401, 0, invalid},
		{"signature with one bit flipped is 401", bearer("/api/admin", flipBit(admin)), 401, 0, invalid},
		{"attacker's key under the issuer's kid is 401", bearer("/api/admin", f.signAttacker(header(kid, nil), adminClaims)), 401, 0, invalid},
		{"embedded jwk of the attacker's key is 401", bearer("/api/admin",
			f.signAttacker(header("attacker", map[string]any{"jwk": f.attackerJWK("attacker")}), adminClaims)), 401, 0, invalid},
		{"embedded jwk under the issuer's kid is 401", bearer("/api/admin",
			f.signAttacker(header(kid, map[string]any{"jwk": f.attackerJWK(kid)}), adminClaims)), 401, 0, invalid},
		{"jku naming a loopback JWKS is 401 and never fetched", bearer("/api/admin",
			f.signAttacker(header("attacker", map[string]any{"jku": trapURL + "/jwks.json"}), adminClaims)), 401, 0, invalid},
		{"jku with the issuer's kid is 401 and never fetched", bearer("/api/admin",
			f.sign(map[string]any{"jku": trapURL + "/jwks.json?issuer-kid"}, adminClaims)), 401, 0, invalid},
		{"x5u naming a loopback certificate is 401 and never fetched", bearer("/api/admin",
			f.signAttacker(header("attacker", map[string]any{"x5u": trapURL + "/cert.pem"}), adminClaims)), 401, 0, invalid},
		{"x5c with a certificate chain is 401", bearer("/api/admin",
			f.signAttacker(header("attacker", map[string]any{"x5c": []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}}), adminClaims)), 401, 0, invalid},
		{"kid ../../etc/passwd is 401", bearer("/api/admin", f.sign(map[string]any{"kid": "../../etc/passwd"}, adminClaims)), 401, 0, invalid},
		{"kid /dev/null is 401", bearer("/api/admin", f.sign(map[string]any{"kid": "/dev/null"}, adminClaims)), 401, 0, invalid},
		{"kid ' OR '1'='1 is 401", bearer("/api/admin", f.sign(map[string]any{"kid": "' OR '1'='1"}, adminClaims)), 401, 0, invalid},
		{"kid 1; DROP TABLE keys-- is 401", bearer("/api/admin", f.sign(map[string]any{"kid": "1; DROP TABLE keys--"}, adminClaims)), 401, 0, invalid},
		{"kid with a newline cannot forge a log line", bearer("/api/admin",
			f.sign(map[string]any{"kid": "x\"}\n{\"level\":\"ERROR\",\"msg\":\"forged\"}\ntime=0 level=ERROR msg=forged"}, adminClaims)), 401, 0, invalid},
		{"kid of 10 KiB is 401", bearer("/api/admin", f.sign(map[string]any{"kid": strings.Repeat("k", 10<<10)}, adminClaims)), 401, 0, invalid},
		{"kid that is a number is 401", bearer("/api/admin", f.sign(map[string]any{"kid": 1}, adminClaims)), 401, 0, invalid},
		{"missing kid is 401", bearer("/api/admin", f.sign(map[string]any{"kid": nil}, adminClaims)), 401, 0, invalid},
		{"unknown crit extension is 401", bearer("/api/admin",
			f.sign(map[string]any{"crit": []string{"urn:fnguard:unknown"}, "urn:fnguard:unknown": true}, adminClaims)), 401, 0, invalid},
		{"crit naming exp is 401", bearer("/api/admin", f.sign(map[string]any{"crit": []string{"exp"}, "exp": 1}, adminClaims)), 401, 0, invalid},
		{"RS512 (not configured) is 401", bearer("/api/admin", f.sign(map[string]any{"alg": "RS512"}, adminClaims)), 401, 0, invalid},
		{"PS256 (not configured) is 401", bearer("/api/admin", f.sign(map[string]any{"alg": "PS256"}, adminClaims)), 401, 0, invalid},
		{"ES256 (not configured) is 401", bearer("/api/admin", f.sign(map[string]any{"alg": "ES256"}, adminClaims)), 401, 0, invalid},
		{"alg rs256 in lower case is 401", bearer("/api/admin", f.sign(map[string]any{"alg": "rs256"}, adminClaims)), 401, 0, invalid},
		{"two alg members, none then RS256, is 401", bearer("/api/admin",
			f.signRaw(`{"alg":"none","alg":"RS256","typ":"JWT","kid":"`+kid+`"}`, adminClaims)), 401, 0, invalid},
		{"typ of another token type is 401", bearer("/api/admin", f.sign(map[string]any{"typ": "secevent+jwt"}, adminClaims)), 401, 0, invalid},
		{"five-segment JWE is 401", bearer("/api/admin", ah+"."+ac+"."+as+"."+as+"."+as), 401, 0, invalid},
		{"JWS JSON serialization is 401", authz("/api/admin",
			`Bearer {"payload":"`+ac+`","protected":"`+ah+`","signature":"`+as+`"}`), 401, 0, invalid},
		{"padded standard base64 segments are 401", bearer("/api/admin", stdBase64(admin)), 401, 0, invalid},
		{"header that is not JSON is 401", bearer("/api/admin", b64.EncodeToString([]byte("alg=RS256"))+"."+ac+"."+as), 401, 0, invalid},
		{"empty segments are 401", bearer("/api/admin", ".."), 401, 0, invalid},

		// Claim attacks, signed with the issuer's real key.
		{"expired an hour ago is 401 and says so", bearer("/api/admin", f.sign(nil, set("exp", now.Add(-time.Hour).Unix()))), 401, 0, expired},
		{"expired within the clock skew is 200", bearer("/api/admin", f.sign(nil, set("exp", now.Add(-5*time.Second).Unix()))), 200, 0, ""},
		{"nbf an hour ahead is 401", bearer("/api/admin", f.sign(nil, set("nbf", now.Add(time.Hour).Unix()))), 401, 0, invalid},
		{"iat an hour ahead is 401", bearer("/api/admin", f.sign(nil, set("iat", now.Add(time.Hour).Unix()))), 401, 0, invalid},
		{"nbf beyond int64 is 401", bearer("/api/admin", f.sign(nil, set("nbf", 1e19))), 401, 0, invalid},
		{"exp beyond int64 is 401", bearer("/api/admin", f.sign(nil, set("exp", 1e19))), 401, 0, invalid},
		// Issue 11: NumericDates that wrap. Just below the int64 maximum,
		// time arithmetic overflowed into the past and nbf/iat passed.
		{"nbf just below the int64 maximum is 401", bearer("/api/admin", f.sign(nil, set("nbf", int64(math.MaxInt64-1024)))), 401, 0, invalid},
		{"iat just below the int64 maximum is 401", bearer("/api/admin", f.sign(nil, set("iat", int64(math.MaxInt64-1024)))), 401, 0, invalid},
		{"exp just below the int64 maximum is 401 invalid, not expired", bearer("/api/admin", f.sign(nil, set("exp", int64(math.MaxInt64-1024)))), 401, 0, invalid},
		{"exp past year 36812 is 401", bearer("/api/admin", f.sign(nil, set("exp", int64(1<<40+1)))), 401, 0, invalid},
		{"missing exp is 401", bearer("/api/admin", f.sign(nil, del("exp"))), 401, 0, invalid},
		{"exp as a string is 401", bearer("/api/admin", f.sign(nil, set("exp", "4102444800"))), 401, 0, invalid},
		{"missing sub is 401", bearer("/api/admin", f.sign(nil, del("sub"))), 401, 0, invalid},
		{"wrong audience is 401", bearer("/api/admin", f.sign(nil, set("aud", "https://other-api.test"))), 401, 0, invalid},
		{"audience list without ours is 401", bearer("/api/admin", f.sign(nil, set("aud", []string{"https://a.test", "https://b.test"}))), 401, 0, invalid},
		{"missing audience is 401", bearer("/api/admin", f.sign(nil, del("aud"))), 401, 0, invalid},
		{"wrong issuer is 401", bearer("/api/admin", f.sign(nil, set("iss", "https://evil.example/"))), 401, 0, invalid},
		{"issuer without its trailing slash is 401", bearer("/api/admin", f.sign(nil, set("iss", strings.TrimSuffix(iss.URL, "/")))), 401, 0, invalid},
		{"missing issuer is 401", bearer("/api/admin", f.sign(nil, del("iss"))), 401, 0, invalid},
		{"roles in an unconfigured claim are ignored: 403", bearer("/api/admin",
			f.sign(nil, f.claims(func(c map[string]any) { delete(c, iss.RolesClaim); c["roles"] = []string{"admin"} }))), 403, 0, forbidden},
		{"roles under another namespace are ignored: 403", bearer("/api/admin",
			f.sign(nil, f.claims(func(c map[string]any) { delete(c, iss.RolesClaim); c["https://evil.example/roles"] = []string{"admin"} }))), 403, 0, forbidden},
		{"role Admin in another case is 403", bearer("/api/admin", f.sign(nil, set(iss.RolesClaim, []string{"Admin", "admin "}))), 403, 0, forbidden},
		{"roles as a string are 401", bearer("/api/admin", f.sign(nil, set(iss.RolesClaim, "admin"))), 401, 0, invalid},
		// Issue 11: an element of the wrong type is no role named "".
		{"roles holding null are 401", bearer("/api/admin", f.sign(nil, set(iss.RolesClaim, []any{"admin", nil}))), 401, 0, invalid},
		{"permissions holding null are 401", bearer("/api/me", f.sign(nil, set("permissions", []any{nil}))), 401, 0, invalid},
		{"roles as an object are 401", bearer("/api/admin", f.sign(nil, set(iss.RolesClaim, map[string]bool{"admin": true}))), 401, 0, invalid},
		{"roles as numbers are 401", bearer("/api/admin", f.sign(nil, set(iss.RolesClaim, []int{1, 2}))), 401, 0, invalid},
		{"permissions as a string are 401", bearer("/api/admin", f.sign(nil, set("permissions", "read:admin"))), 401, 0, invalid},

		// Transport shapes.
		{"no Authorization header is 401", request{target: "/api/admin"}, 401, 0, unauthorized},
		{"Basic credentials are 401", authz("/api/admin", "Basic YWRtaW46YWRtaW4="), 401, 0, unauthorized},
		{"a valid token under the scheme Token is 401", authz("/api/admin", "Token "+admin), 401, 0, unauthorized},
		{"Bearer without a token is 401", authz("/api/admin", "Bearer"), 401, 0, ""},
		{"lower-case bearer scheme is 200", authz("/api/admin", "bearer "+admin), 200, 0, ""},
		{"two spaces after Bearer is 200", authz("/api/admin", "Bearer  "+admin), 200, 0, ""},
		{"a tab after Bearer is 401", authz("/api/admin", "Bearer\t"+admin), 401, 0, ""},
		{"a token followed by junk is 401", authz("/api/admin", "Bearer "+admin+" junk"), 401, 0, invalid},
		{"a token followed by a comma is 401", authz("/api/admin", "Bearer "+admin+","), 401, 0, invalid},
		{"two Authorization headers, both valid, are 401", authz("/api/admin", "Bearer "+admin, "Bearer "+admin), 401, 0, invalid},
		{"a valid and a free Authorization header are 401", authz("/api/admin", "Bearer "+free, "Bearer "+admin), 401, 0, invalid},
		{"a token of 17 KiB is 401", bearer("/api/admin", strings.Repeat("a", 17<<10)), 401, 0, invalid},
		{"an Authorization header of 70 KiB is 431, never 5xx", bearer("/api/admin", ah+"."+strings.Repeat("A", 70<<10)+"."+as), 431, 401, ""},
		{"non-ASCII bytes in the token are 401", authz("/api/admin", "Bearer "+admin[:20]+"\xff\xfe"+admin[20:]), 401, 0, invalid},
		{"a token in the query string is ignored: 401", request{target: "/api/admin?access_token=" + admin}, 401, 0, unauthorized},
		{"a token in a cookie is ignored: 401", request{target: "/api/admin", header: [][2]string{{"Cookie", "access_token=" + admin}}}, 401, 0, unauthorized},
		{"a token in X-Forwarded-Authorization is ignored: 401", request{target: "/api/admin",
			header: [][2]string{{"X-Forwarded-Authorization", "Bearer " + admin}, {"X-Access-Token", admin}}}, 401, 0, unauthorized},
		{"a token in a form body does not make POST work: 405", request{method: "POST", target: "/api/admin",
			header: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, body: "access_token=" + admin}, 405, 0, "method_not_allowed"},
		{"a forged API Gateway context header is dropped: 401", request{target: "/api/admin",
			header: [][2]string{{"X-GoLambdaProxy-Apigw-Context", `{"authorizer":{"claims":{"sub":"dev|admin-user"}}}`}}}, 401, 0, unauthorized},
		{"bad percent-encoding in the path is 400", request{target: "/api/%zz"}, 400, 0, ""},
		{"bad percent-encoding after a token is 400", bearer("/api/admin/%E0%A4%A", admin), 400, 0, ""},
		{"a percent-encoded route name does not reach /admin", request{target: "/api/%61dmin"}, 404, 0, ""},
		{"dot segments do not reach /admin", request{target: "/api/public/../admin"}, 404, 0, ""},
		{"a token pasted into the path is 404", request{target: "/api/admin/" + admin}, 404, 0, ""},
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
