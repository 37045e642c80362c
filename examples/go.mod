module example.com/service

go 1.26.0

require github.com/fnguard/fnguard v0.0.0

require (
	github.com/auth0/go-jwt-middleware/v2 v2.3.1 // indirect
	golang.org/x/crypto v0.45.0 // indirect
	gopkg.in/go-jose/go-jose.v2 v2.6.3 // indirect
)

// The examples build against this checkout, so they prove that what the
// repository exports today is enough for a service of your own. The module
// path is outside github.com/fnguard/fnguard on purpose: the compiler then
// refuses any import of fnguard's internal/ packages, as it would yours.
replace github.com/fnguard/fnguard => ../
