// Package lambdatest runs Lambda functions for real in tests: the function
// is built the way Netlify builds it, started as its own process, and fed
// invocations through a Lambda Runtime API (2018-06-01) served on loopback.
// It stands in for the AWS Runtime Interface Emulator, which is not
// available here, and it fails the test loudly when the function misuses
// the protocol (an answer for a request id it never received, two answers
// for one request, a path that is not part of the API).
//
//	func TestMain(m *testing.M) { lambdatest.Main(m) } // removes the builds
//
//	func TestFunction(t *testing.T) {
//		bin := lambdatest.Build(t, "./cmd/fn")
//		rt := lambdatest.NewRuntime(t)
//		p := rt.Start(bin, "AUTH0_AUDIENCE=https://api.example")
//		req := httptest.NewRequest("GET", "/api/me", nil)
//		req.Header.Set("Authorization", "Bearer "+token)
//		res, err := rt.Invoke(ctx, lambdatest.NetlifyEvent(req), lambdatest.InvokeOptions{})
//		// res.Body is the function's answer, res.Err its error
//		resp, err := res.HTTP() // the answer as an *http.Response
//		p.Stop()                // then p.Stderr() holds every log line
//	}
//
// One Runtime serves one function process, like one Lambda execution
// environment: invocations are handed out one per poll of
// /runtime/invocation/next, in the order Invoke is called.
package lambdatest
