// Package authorizer is the fourth function strategy: an API Gateway Lambda
// authorizer decides, before the function runs, and the function reads the
// authorizer's verdict (requestContext.authorizer) instead of re-validating
// the token.
//
// One authorizer function answers the three event types API Gateway sends:
// REST TOKEN and REQUEST authorizers (an IAM policy plus a context holding
// the subject and roles) and HTTP API authorizers (the simple
// {"isAuthorized": ...} response). A missing or invalid token fails the
// invocation with "Unauthorized", which API Gateway answers with 401; a
// caller without the route's role gets an explicit Deny, answered with 403.
//
// Caching. API Gateway caches a REST authorizer's policy per identity source
// (the token) for the cache TTL and applies it to every route of the API
// that uses the authorizer. An "Allow this methodArn" policy, cached after
// a call to /me, would let the same token through to /admin. So the policy
// is built for the whole route table, not for the one request: it allows
// exactly the routes the caller's roles permit and explicitly denies the
// others, under the API and stage of the methodArn. A cached policy is then
// right for every route. HTTP API simple responses cannot list routes, so
// there the cache key must include the route ($context.routeKey) or caching
// must stay off; template.yaml and the README say so.
//
// For the same reason every event type decides on the identity source
// alone: the Authorization header, holding a Bearer token. Whatever else a
// REQUEST or HTTP API event carries (cookies such as Netlify's nf_jwt,
// other headers) is not in the cache key, so a decision that read it would
// be served to callers who never sent it.
//
// Pros: the token is checked once per TTL, before any function runs; the
// function stays free of auth code. Cons: AWS API Gateway only (Netlify has
// no authorizers), and the route table must be kept in step with the API.
package authorizer
