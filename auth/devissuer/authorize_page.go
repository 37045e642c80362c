package devissuer

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// pageStyle is inline so the page needs nothing but itself; the CSP allows
// exactly this stylesheet by its hash, and no script at all.
const pageStyle = `
body{font:1rem/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:32rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #c9ced6;border-radius:.5rem}
h1{font-size:1.4rem;margin-top:0}
fieldset{border:0;padding:0;margin:1.5rem 0}
legend{font-weight:600;margin-bottom:.5rem}
.persona{display:flex;gap:1rem;align-items:center;margin:.75rem 0}
button{font:inherit;padding:.5rem 1rem;border-radius:.375rem;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;cursor:pointer;min-width:7rem}
button.secondary{background:#fff;color:#0b4f9c}
button:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.persona p{margin:0;color:#3b424b;font-size:.9rem}
.note{color:#3b424b}
`

var pageCSP = "default-src 'none'; style-src 'sha256-" + styleHash() + "'; base-uri 'none'; frame-ancestors 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return base64.StdEncoding.EncodeToString(sum[:])
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{if .Message}}<p role="alert">{{.Message}}</p>{{end}}
{{if .Personas}}
<p class="note">This is the development issuer: there is no password. Pick who you want to be; the app gets a real signed token for that persona.</p>
<form method="post" action="authorize">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<fieldset>
<legend>Sign in as</legend>
{{range .Personas}}<div class="persona">
<button type="submit" name="persona" value="{{.Name}}" aria-describedby="persona-{{.Name}}">{{.Name}}</button>
<p id="persona-{{.Name}}">{{.Subject}}. Roles: {{if .Roles}}{{join .Roles}}{{else}}none{{end}}. Permissions: {{join .Permissions}}.</p>
</div>
{{end}}</fieldset>
<button type="submit" name="cancel" value="1" class="secondary">Cancel</button>
</form>
{{end}}
</main>
</body>
</html>
`))

type hiddenField struct{ Name, Value string }

type pageData struct {
	Title    string
	Style    template.CSS
	Message  string
	Hidden   []hiddenField
	Personas []Persona
}

func writeSignInPage(w http.ResponseWriter, req authorizeRequest) {
	d := pageData{Title: "Sign in to fnguard (development)", Personas: Personas}
	for _, name := range authorizeParams {
		if v := req.params.Get(name); v != "" {
			d.Hidden = append(d.Hidden, hiddenField{name, v})
		}
	}
	// Browsers apply form-action to the redirect that follows the POST, so
	// the page must allow the client's origin as well as its own.
	u, _ := url.Parse(req.redirectURI)
	writePage(w, http.StatusOK, d, "; form-action 'self' "+u.Scheme+"://"+u.Host)
}

func writeErrorPage(w http.ResponseWriter, status int, message string) {
	writePage(w, status, pageData{Title: "fnguard development issuer", Message: message}, "; form-action 'none'")
}

func writePage(w http.ResponseWriter, status int, d pageData, formAction string) {
	d.Style = template.CSS(pageStyle)
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		http.Error(w, "could not render the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP+formAction)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
