package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A development token minted for another PORT carries another issuer, signed
// with the same key: the server must say the issuer is the fault (RFC 6750
// error_description), without naming the issuer it expects.
func TestTokenMintedForAnotherPortIsRefusedForItsIssuer(t *testing.T) {
	key := filepath.Join(t.TempDir(), "dev-key.pem")
	base := startServer(t, "DEV_ISSUER_KEY_FILE="+key)

	mint := exec.Command(serverBinary(t), "token", "--role", "admin")
	mint.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PORT=1", "DEV_ISSUER_KEY_FILE=" + key}
	out, err := mint.Output()
	if err != nil {
		t.Fatalf("token --role admin: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(out)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error, Message string }
	_ = json.NewDecoder(resp.Body).Decode(&body)

	const want = `Bearer realm="fnguard", error="invalid_token", error_description="The token issuer is not accepted"`
	if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || got != want {
		t.Fatalf("answer %d with WWW-Authenticate %q; want 401 with %q", resp.StatusCode, got, want)
	}
	if body.Error != "invalid_token" || !strings.Contains(body.Message, "issuer is not accepted") {
		t.Errorf("body = %+v; want invalid_token saying the issuer is not accepted", body)
	}
	if strings.Contains(body.Message, base) || strings.Contains(resp.Header.Get("WWW-Authenticate"), base) {
		t.Errorf("the denial names the issuer this server expects")
	}
}
