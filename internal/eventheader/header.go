// Package eventheader holds the one rule by which every Lambda handler of
// fnguard reads an event's headers. It is internal, and imports nothing, so
// that strategies/guard can follow the flagship's rule without pulling in
// the flagship's adapter (and its router and logger) as a dependency.
package eventheader

import (
	"net/http"
	"net/textproto"
)

// Header is the request header of an API Gateway v1 event (the shape Netlify
// sends), by the one rule every Lambda handler of fnguard follows: the
// multiValueHeaders map when it has any entry, because only it holds every
// value of a repeated header (two Authorization headers must be seen as two,
// and refused); the headers map otherwise, when multiValueHeaders is absent
// or empty ({} carries nothing to prefer). The two maps are never merged: a
// value found in only one of two non-empty maps is not read.
//
// The flagship's adapter (lambdahttp) builds its requests with it;
// strategies/guard and strategies/authorizer read events through it.
func Header(multi map[string][]string, single map[string]string) http.Header {
	if len(multi) > 0 {
		h := make(http.Header, len(multi))
		for k, vs := range multi {
			if len(vs) == 0 {
				continue
			}
			ck := textproto.CanonicalMIMEHeaderKey(k)
			if prev, ok := h[ck]; ok {
				h[ck] = append(prev, vs...)
			} else {
				// Clipped: a handler's Add copies instead of writing into
				// the event's slice.
				h[ck] = vs[:len(vs):len(vs)]
			}
		}
		return h
	}
	h := make(http.Header, len(single))
	for k, v := range single {
		h.Add(k, v)
	}
	return h
}
