package lambdahttp

import (
	"strings"
	"unicode/utf8"
)

// decodeFast reads the usual event, the one API Gateway and Netlify send,
// into ev in one pass: no reflection, no validating pre-pass, and strings
// that are slices of one copy of the payload. It gives up (false, ev to be
// thrown away) on anything it does not expect: an escape sequence in a
// value it keeps, a null where it keeps a value, a field twice, invalid
// UTF-8, a value of the wrong type, a syntax error. encoding/json then
// decodes the payload and reports what is wrong with it. When it does not
// give up, ev is what encoding/json would have produced (FuzzDecodeFast
// holds it to that).
func decodeFast(payload []byte, ev *event) bool {
	if !utf8.Valid(payload) {
		return false
	}
	d := decoder{s: string(payload)}
	ok := d.object(func(key string) bool {
		switch {
		case d.field(key, "version", 0):
			return d.str(&ev.Version)
		case d.field(key, "httpMethod", 1):
			return d.str(&ev.HTTPMethod)
		case d.field(key, "path", 2):
			return d.str(&ev.Path)
		case d.field(key, "multiValueHeaders", 3):
			return d.multiMap(&ev.MultiValueHeaders)
		case d.field(key, "queryStringParameters", 4):
			return d.strMap(&ev.QueryStringParameters)
		case d.field(key, "multiValueQueryStringParameters", 5):
			return d.multiMap(&ev.MultiValueQueryStringParameters)
		case d.field(key, "rawPath", 6):
			return d.str(&ev.RawPath)
		case d.field(key, "rawQueryString", 7):
			return d.str(&ev.RawQueryString)
		case d.field(key, "cookies", 8):
			return d.strs(&ev.Cookies)
		case d.field(key, "headers", 9):
			return d.strMap(&ev.Headers)
		case d.field(key, "body", 10):
			return d.str(&ev.Body)
		case d.field(key, "isBase64Encoded", 11):
			return d.boolean(&ev.IsBase64Encoded)
		case d.field(key, "requestContext", 12):
			rc := &ev.RequestContext
			return d.object(func(key string) bool {
				switch {
				case d.field(key, "domainName", 13):
					return d.str(&rc.DomainName)
				case d.field(key, "identity", 14):
					return d.object(func(key string) bool {
						if d.field(key, "sourceIp", 15) {
							return d.str(&rc.Identity.SourceIP)
						}
						return d.skip(0)
					})
				case d.field(key, "http", 16):
					return d.object(func(key string) bool {
						switch {
						case d.field(key, "method", 17):
							return d.str(&rc.HTTP.Method)
						case d.field(key, "path", 18):
							return d.str(&rc.HTTP.Path)
						case d.field(key, "sourceIp", 19):
							return d.str(&rc.HTTP.SourceIP)
						}
						return d.skip(0)
					})
				}
				return d.skip(0)
			})
		}
		return d.skip(0)
	})
	if !ok {
		return false
	}
	d.ws()
	return d.i == len(d.s)
}

// decoder is a cursor over a JSON text.
type decoder struct {
	s    string
	i    int
	seen uint32 // the fields already read, by bit
}

// field reports whether key names the field (encoding/json matches names
// regardless of ASCII case). A second occurrence fails the decode: the
// merging rules of encoding/json for repeated fields are not worth copying.
func (d *decoder) field(key, name string, bit uint) bool {
	if len(key) != len(name) || !strings.EqualFold(key, name) {
		return false
	}
	if d.seen&(1<<bit) != 0 {
		d.i = len(d.s) + 1 // no way back to success
		return true
	}
	d.seen |= 1 << bit
	return true
}

func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek is the next byte after white space, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

func (d *decoder) consume(lit string) bool {
	if strings.HasPrefix(d.s[min(d.i, len(d.s)):], lit) {
		d.i += len(lit)
		return true
	}
	return false
}

// object reads an object, calling member with each key, the cursor on its
// value. null is accepted and calls nothing (encoding/json leaves the
// struct as it is). Keys outside ASCII give up: encoding/json folds some
// of them onto field names.
func (d *decoder) object(member func(key string) bool) bool {
	if d.peek() == 'n' {
		return d.consume("null")
	}
	return d.mapObject(func(key string) bool {
		for j := 0; j < len(key); j++ {
			if key[j] >= utf8.RuneSelf {
				return false
			}
		}
		return member(key)
	})
}

// plainString reads a string without escapes, the cursor on its quote.
func (d *decoder) plainString() (string, bool) {
	d.i++
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return d.s[start : d.i-1], true
		case c == '\\' || c < ' ':
			return "", false
		}
		d.i++
	}
	return "", false
}

// str reads a string value into v; null leaves v as it is.
func (d *decoder) str(v *string) bool {
	switch d.peek() {
	case 'n':
		return d.consume("null")
	case '"':
		s, ok := d.plainString()
		*v = s
		return ok
	}
	return false
}

func (d *decoder) boolean(v *bool) bool {
	switch d.peek() {
	case 'n':
		return d.consume("null")
	case 't':
		*v = true
		return d.consume("true")
	case 'f':
		*v = false
		return d.consume("false")
	}
	return false
}

// strs reads an array of strings; null makes it nil.
func (d *decoder) strs(v *[]string) bool {
	if d.peek() == 'n' {
		*v = nil
		return d.consume("null")
	}
	if !d.consume("[") {
		return false
	}
	out := []string{}
	ok := d.seq(']', func() bool {
		if d.peek() != '"' {
			return false
		}
		s, ok := d.plainString()
		out = append(out, s)
		return ok
	})
	if ok {
		*v = out
	}
	return ok
}

// strMap reads an object of strings; null makes it nil.
func (d *decoder) strMap(v *map[string]string) bool {
	if d.peek() == 'n' {
		*v = nil
		return d.consume("null")
	}
	m := map[string]string{}
	*v = m
	return d.mapObject(func(key string) bool {
		if d.peek() != '"' {
			return false
		}
		s, ok := d.plainString()
		m[key] = s
		return ok
	})
}

// multiMap reads an object of arrays of strings; null makes it nil.
func (d *decoder) multiMap(v *map[string][]string) bool {
	if d.peek() == 'n' {
		*v = nil
		return d.consume("null")
	}
	m := map[string][]string{}
	*v = m
	return d.mapObject(func(key string) bool {
		if d.peek() != '[' {
			return false
		}
		var vs []string
		ok := d.strs(&vs)
		m[key] = vs
		return ok
	})
}

// mapObject reads an object whose keys are map keys (any string without
// escapes).
func (d *decoder) mapObject(member func(key string) bool) bool {
	if !d.consume("{") {
		return false
	}
	return d.seq('}', func() bool {
		if d.peek() != '"' {
			return false
		}
		key, ok := d.plainString()
		if !ok || d.peek() != ':' {
			return false
		}
		d.i++
		return member(key)
	})
}

// seq reads the rest of an array or object after its opening bracket:
// elements read by elem, separated by commas, up to close. elem refuses
// what cannot start an element, so "[1,]" fails.
func (d *decoder) seq(close byte, elem func() bool) bool {
	if d.peek() == close {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case close:
			d.i++
			return true
		default:
			return false
		}
	}
}

// maxDepth bounds the nesting skip follows; deeper gives up.
const maxDepth = 64

// skip reads any JSON value and drops it, checking its syntax as strictly
// as encoding/json does.
func (d *decoder) skip(depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch c := d.peek(); {
	case c == '"':
		return d.skipString()
	case c == '{':
		d.i++
		return d.seq('}', func() bool {
			if d.peek() != '"' || !d.skipString() || d.peek() != ':' {
				return false
			}
			d.i++
			return d.skip(depth + 1)
		})
	case c == '[':
		d.i++
		return d.seq(']', func() bool { return d.skip(depth + 1) })
	case c == 't':
		return d.consume("true")
	case c == 'f':
		return d.consume("false")
	case c == 'n':
		return d.consume("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.skipNumber()
	}
	return false
}

// skipString reads a string with any valid escapes, the cursor on its quote.
func (d *decoder) skipString() bool {
	d.i++
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return true
		case c < ' ':
			return false
		case c == '\\':
			d.i++
			if d.i >= len(d.s) {
				return false
			}
			switch d.s[d.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if d.i+4 >= len(d.s) {
					return false
				}
				for _, h := range d.s[d.i+1 : d.i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				d.i += 4
			default:
				return false
			}
		}
		d.i++
	}
	return false
}

// skipNumber reads a number as RFC 8259 §6 writes one.
func (d *decoder) skipNumber() bool {
	digits := func() int {
		n := 0
		for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.s[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.s) && d.s[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return false
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return false
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
