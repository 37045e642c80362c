package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// heading is one heading of the page as the accessibility tree exposes it,
// which is what a screen reader's list of headings shows.
type heading struct {
	Level int
	Name  string
}

func (h heading) String() string { return fmt.Sprintf("h%d %q", h.Level, h.Name) }

// TestStrategiesAreHeadingsAndCallAllAnnouncesOneSummary: a screen-reader
// user can jump between strategies by heading, at phone width as on a
// laptop, every strategy's table stays a table, and "Call every endpoint"
// announces one summary, not one result per row.
func TestStrategiesAreHeadingsAndCallAllAnnouncesOneSummary(t *testing.T) {
	requireChromium(t)
	base := startServer(t)
	b := newBrowser(t)
	b.open(t, base+"/")
	var strategies []string
	b.eval(t, `fetch('/spa-config.json').then(r => r.json()).then(c => [...new Set(c.endpoints.map(e => e.strategy))])`, &strategies)
	want := []heading{{1, "fnguard"}, {2, "Who you are"}, {2, "Protected endpoints"}}
	for _, s := range strategies {
		want = append(want, heading{3, s})
	}
	for _, w := range []int{320, 1100} {
		b.run(t, fmt.Sprintf("resize to %d px", w), chromedp.EmulateViewport(int64(w), 900))
		got, tables := b.axOutline(t)
		if !slices.Equal(got, want) {
			t.Errorf("at %d px the headings are %v; want %v", w, got, want)
		}
		if !slices.Equal(tables, strategies) {
			t.Errorf("at %d px the tables named by their headings are %q; want one per strategy, %q", w, tables, strategies)
		}
	}

	// Record which live regions change while every endpoint is called:
	// a change inside a region that is live is an announcement.
	b.eval(t, `window.announced = [];
		new MutationObserver((records) => {
			for (const r of records) {
				const node = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
				const region = node.closest('[aria-live], [role="status"], [role="alert"]');
				if (!region || region.getAttribute('aria-live') === 'off') continue;
				const name = region.id || region.closest('tr[data-endpoint]').dataset.endpoint;
				if (!window.announced.includes(name)) window.announced.push(name);
			}
		}).observe(document.body, { subtree: true, childList: true, characterData: true }); true`, nil)
	rows := b.pressAll(t)
	var announced []string
	b.eval(t, `window.announced`, &announced)
	if !slices.Equal(announced, []string{"summary"}) {
		t.Errorf("calling every endpoint changed the live regions %q; want only the summary", announced)
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Outcome]++
	}
	wantSummary := fmt.Sprintf("Called %d endpoints: %d allowed, %d denied.", len(rows), counts["allowed"], counts["denied"])
	if got := b.text(t, "#summary"); got != wantSummary {
		t.Errorf("summary = %q; want %q", got, wantSummary)
	}

	// One button pressed alone still announces its own result.
	first := rows[0].Endpoint
	b.eval(t, `window.announced = []; true`, nil)
	b.run(t, "call "+first,
		chromedp.Click(`tr[data-endpoint="`+first+`"] button`, chromedp.ByQuery),
		chromedp.Poll(`window.announced.length > 0 && document.querySelector('tr[data-endpoint="`+first+`"] .badge') !== null`, nil))
	b.eval(t, `window.announced`, &announced)
	if !slices.Equal(announced, []string{first}) {
		t.Errorf("pressing the button of %s announced %q; want that row's result only", first, announced)
	}
	checkConsole(t, b, deniedURLs(base, "anonymous", rows))
}

// axNode is the part of a CDP Accessibility.AXNode the tests read. It is
// decoded here rather than with cdproto's types, whose enumerations lag
// behind Chromium's and refuse the tree of a newer one.
type axNode struct {
	Ignored    bool     `json:"ignored"`
	Role       *axValue `json:"role"`
	Name       *axValue `json:"name"`
	Properties []struct {
		Name  string  `json:"name"`
		Value axValue `json:"value"`
	} `json:"properties"`
}

type axValue struct {
	Value json.RawMessage `json:"value"`
}

func (v *axValue) String() string {
	var s string
	if v != nil {
		_ = json.Unmarshal(v.Value, &s)
	}
	return strings.TrimSpace(s)
}

// axOutline returns the page's headings and the names of its tables, in
// document order, from Chromium's accessibility tree.
func (b *browser) axOutline(t *testing.T) (headings []heading, tables []string) {
	t.Helper()
	var tree struct {
		Nodes []axNode `json:"nodes"`
	}
	b.run(t, "read the accessibility tree", chromedp.ActionFunc(func(ctx context.Context) error {
		return cdp.Execute(ctx, accessibility.CommandGetFullAXTree, nil, &tree)
	}))
	for _, n := range tree.Nodes {
		if n.Ignored {
			continue
		}
		switch n.Role.String() {
		case "heading":
			h := heading{Name: n.Name.String()}
			for _, p := range n.Properties {
				if p.Name == "level" {
					_ = json.Unmarshal(p.Value.Value, &h.Level)
				}
			}
			headings = append(headings, h)
		case "table":
			tables = append(tables, n.Name.String())
		}
	}
	return headings, tables
}
