package e2e

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium with a fresh profile, and what its page
// wrote to the console.
type browser struct {
	ctx context.Context

	mu      sync.Mutex
	console []consoleEntry
}

type consoleEntry struct {
	Source string // "javascript", "network", "exception", ...
	Level  string
	Text   string
	URL    string
}

func (e consoleEntry) String() string {
	return fmt.Sprintf("[%s %s] %s %s", e.Source, e.Level, e.Text, e.URL)
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	requireChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// No UserDataDir option: chromedp then passes a fresh temporary
		// --user-data-dir and removes it once Chromium has exited.
		chromedp.WindowSize(1100, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(withTimeout(t, 90*time.Second), opts...)
	// chromedp reports its own errors from its goroutines, possibly after
	// the test has ended, where t.Logf would panic: they go to the log.
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(log.Printf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		var e consoleEntry
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.APITypeError && ev.Type != runtime.APITypeAssert && ev.Type != runtime.APITypeWarning {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			e = consoleEntry{Source: "console", Level: string(ev.Type), Text: strings.Join(parts, " ")}
		case *runtime.EventExceptionThrown:
			e = consoleEntry{Source: "exception", Level: "error", Text: ev.ExceptionDetails.Error()}
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level != cdplog.LevelError && ev.Entry.Level != cdplog.LevelWarning {
				return
			}
			e = consoleEntry{Source: string(ev.Entry.Source), Level: string(ev.Entry.Level), Text: ev.Entry.Text, URL: ev.Entry.URL}
		default:
			return
		}
		b.mu.Lock()
		b.console = append(b.console, e)
		b.mu.Unlock()
	})
	if err := chromedp.Run(ctx, runtime.Enable(), cdplog.Enable()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v\nconsole: %v", what, err, b.consoleEntries())
	}
}

func (b *browser) consoleEntries() []consoleEntry {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]consoleEntry(nil), b.console...)
}

// open loads the app and waits until it has started.
func (b *browser) open(t *testing.T, url string) {
	t.Helper()
	b.run(t, "open "+url, chromedp.Navigate(url), chromedp.WaitReady(`body[data-ready="true"]`, chromedp.ByQuery))
}

// signIn goes through the real flow: the app's Sign in button, the
// development issuer's persona page, the redirect back with a code.
func (b *browser) signIn(t *testing.T, persona string) {
	t.Helper()
	b.run(t, "sign in as "+persona,
		chromedp.Click(`#sign-in`, chromedp.ByQuery),
		chromedp.WaitVisible(`button[name="persona"][value="`+persona+`"]`, chromedp.ByQuery),
		chromedp.Click(`button[name="persona"][value="`+persona+`"]`, chromedp.ByQuery),
		chromedp.WaitReady(`body[data-ready="true"][data-signed-in="true"]`, chromedp.ByQuery),
	)
}

func (b *browser) signOut(t *testing.T) {
	t.Helper()
	b.run(t, "sign out",
		chromedp.Click(`#sign-out`, chromedp.ByQuery),
		chromedp.WaitReady(`body[data-ready="true"][data-signed-in="false"]`, chromedp.ByQuery),
	)
}

// row is one endpoint of the page's table, as the page shows it.
type row struct {
	Endpoint string `json:"endpoint"`
	Who      string `json:"who"`
	Status   int    `json:"status"`
	Outcome  string `json:"outcome"`
	Badge    string `json:"badge"`
	// TokenPath is where a single-use row asks for its token.
	TokenPath string `json:"tokenPath"`
	// Credential is how the page sends the user: bearer, cookie...
	Credential string `json:"credential"`
	Detail     string `json:"detail"`
}

func (b *browser) rows(t *testing.T) []row {
	t.Helper()
	var rows []row
	b.run(t, "read the table", chromedp.Evaluate(`[...document.querySelectorAll('tr[data-endpoint]')].map(tr => {
		const result = tr.querySelector('td.result');
		return {
			endpoint: tr.dataset.endpoint,
			who: tr.children[1].textContent,
			status: Number(result.dataset.status || -1),
			outcome: result.dataset.outcome || '',
			badge: (result.querySelector('.badge') || {}).textContent || '',
			tokenPath: tr.dataset.tokenPath || '',
			credential: tr.dataset.credential || '',
			detail: (result.querySelector('.detail') || {}).textContent || '',
		};
	})`, &rows))
	return rows
}

// press clicks every endpoint's button, one at a time as a person would,
// waiting for each answer, and returns the table.
func (b *browser) press(t *testing.T) []row {
	t.Helper()
	for _, r := range b.rows(t) {
		sel := `tr[data-endpoint="` + r.Endpoint + `"]`
		b.run(t, "call "+r.Endpoint,
			chromedp.Click(sel+` button`, chromedp.ByQuery),
			chromedp.WaitReady(sel+` td.result[data-status]`, chromedp.ByQuery),
		)
	}
	return b.rows(t)
}

// pressAll uses the page's "Call every endpoint" button and waits for
// every answer.
func (b *browser) pressAll(t *testing.T) []row {
	t.Helper()
	n := len(b.rows(t))
	b.run(t, "call every endpoint",
		chromedp.Click(`#call-all`, chromedp.ByQuery),
		chromedp.Poll(fmt.Sprintf(`document.querySelectorAll('td.result[data-status]').length === %d`, n), nil),
	)
	return b.rows(t)
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	var s string
	b.run(t, "read "+sel, chromedp.TextContent(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

func (b *browser) eval(t *testing.T, js string, res any) {
	t.Helper()
	b.run(t, "evaluate", chromedp.Evaluate(js, res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
}

func (b *browser) cookies(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	b.run(t, "read cookies", chromedp.ActionFunc(func(ctx context.Context) error {
		cs, err := storage.GetCookies().Do(ctx)
		for _, c := range cs {
			out[c.Name] = c.Value
		}
		return err
	}))
	return out
}

// screenshot saves the whole page as a test artifact in .artifacts/e2e/.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	var png []byte
	b.run(t, "screenshot", chromedp.FullScreenshot(&png, 100))
	dir := os.Getenv("E2E_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", ".artifacts", "e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// lowContrastText lists the visible text whose contrast with its background
// is under WCAG 2's 4.5:1 for normal text.
func (b *browser) lowContrastText(t *testing.T) []string {
	t.Helper()
	var bad []string
	b.eval(t, `(() => {
		const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
		const luminance = (css) => {
			const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map(channel);
			return 0.2126 * r + 0.7152 * g + 0.0722 * b;
		};
		const background = (el) => {
			for (; el; el = el.parentElement) {
				const c = getComputedStyle(el).backgroundColor;
				const parts = c.match(/[\d.]+/g);
				if (parts && (parts.length < 4 || Number(parts[3]) > 0)) return c;
			}
			return 'rgb(255, 255, 255)';
		};
		const bad = [];
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const el = n.parentElement;
			if (!n.textContent.trim() || !el.checkVisibility()) continue;
			const [a, b] = [luminance(getComputedStyle(el).color), luminance(background(el))];
			const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
			if (ratio < 4.5) bad.push(el.tagName + ' "' + n.textContent.trim().slice(0, 40) + '": ' + ratio.toFixed(2) + ':1');
		}
		return bad;
	})()`, &bad)
	return bad
}
