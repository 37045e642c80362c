module github.com/fnguard/fnguard

go 1.26

require (
	github.com/auth0/go-jwt-middleware/v2 v2.3.1
	github.com/aws/aws-lambda-go v1.55.1
	github.com/awslabs/aws-lambda-go-api-proxy v0.16.2
	github.com/go-chi/chi/v5 v5.5.0
	github.com/go-chi/cors v1.2.2
	gopkg.in/go-jose/go-jose.v2 v2.6.3
)

require golang.org/x/crypto v0.45.0 // indirect
