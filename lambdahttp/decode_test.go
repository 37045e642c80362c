package lambdahttp

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodeFast holds the fast event decoder to encoding/json: whenever it
// does not give up, encoding/json accepts the payload too and produces the
// same event.
func FuzzDecodeFast(f *testing.F) {
	addEventSeeds(f)
	for _, seed := range []string{
		`{}`, `null`, `{"httpMethod":"GET","PATH":"/a"}`, `{"path":"/a","path":"/b"}`,
		`{"headers":{"a":"1","a":"2"},"multiValueHeaders":{"a":[],"b":["x","y"]},"cookies":[]}`,
		`{"x":[1,-0.5e+3,true,null,{"y":"\u00e9\n"}],"body":null,"isBase64Encoded":false}`,
		`{"requestContext":{"http":{"method":"GET"},"identity":null,"domainName":"d"}}`,
		`{"body":"esc\"aped"}`, `{"headers":null}`, `{"x":01}`, `{"a":1} x`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var fast, std event
		if !decodeFast(payload, &fast) {
			return
		}
		if err := json.Unmarshal(payload, &std); err != nil {
			t.Fatalf("fast decode accepted %q, encoding/json: %v", payload, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("for %q\nfast %+v\n std %+v", payload, fast, std)
		}
	})
}

func TestDecodeFastTakesTheUsualEvents(t *testing.T) {
	for _, name := range []string{"netlify-v1.json", "function-url-v2.json"} {
		var ev event
		if !decodeFast(fixture(t, name, nil), &ev) {
			t.Errorf("%s: the fast decoder gave up on a usual event", name)
		}
	}
}
