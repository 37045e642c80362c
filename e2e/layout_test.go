package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// widths are the viewports the page must work at: a small phone, a common
// phone, a laptop.
var widths = []int{320, 390, 1100}

// checkLayout lays the page out at each width and fails on any overlap of
// interactive or result elements, any clipped text and any sideways
// scrolling, as measured from the DOM's boxes; it saves a screenshot per
// width as name-WIDTH.png.
func checkLayout(t *testing.T, b *browser, name string) {
	t.Helper()
	for _, w := range widths {
		b.run(t, fmt.Sprintf("resize to %d px", w), chromedp.EmulateViewport(int64(w), 900))
		var problems []string
		b.eval(t, layoutProblems, &problems)
		for _, p := range problems {
			t.Errorf("at %d px: %s", w, p)
		}
		b.screenshot(t, fmt.Sprintf("%s-%d", name, w))
	}
	b.run(t, "restore the window size", chromedp.EmulateViewport(1100, 900))
}

// layoutProblems is evaluated in the page. "Clipped" is any of: text wider
// than its own box (scrollWidth > clientWidth), a box reaching out of the
// cell, list or section that holds it, or out of the viewport.
const layoutProblems = `(() => {
	const problems = [];
	const root = document.documentElement;
	if (root.scrollWidth > root.clientWidth) problems.push('the page scrolls sideways: ' + root.scrollWidth + ' > ' + root.clientWidth + ' px');
	const shown = (e) => e.checkVisibility() && e.getClientRects().length > 0 && !e.closest('.visually-hidden, thead') && !e.matches('.skip:not(:focus)');
	const name = (e) => {
		const row = e.closest('tr[data-endpoint]');
		return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className.replace(/ /g, '.') : '') +
			' "' + e.textContent.trim().slice(0, 30) + '"' + (row ? ' in ' + row.dataset.endpoint : '');
	};
	const eps = 0.5;
	const inside = (r, b) => r.left >= b.left - eps && r.right <= b.right + eps && r.top >= b.top - eps && r.bottom <= b.bottom + eps;
	const texts = [...document.querySelectorAll('h1, h2, h3, p, dt, dd, button, a[href], th, td, code, .badge, .detail, .none')].filter(shown);
	for (const e of texts) {
		const r = e.getBoundingClientRect();
		if (getComputedStyle(e).display !== 'inline' && e.scrollWidth > e.clientWidth + 1) problems.push(name(e) + ' is clipped: its text is ' + e.scrollWidth + ' px wide in ' + e.clientWidth + ' px');
		if (r.left < -eps || r.right > root.clientWidth + eps) problems.push(name(e) + ' reaches out of the viewport (' + Math.round(r.left) + '..' + Math.round(r.right) + ')');
		const box = e.parentElement.closest('td, th, dl, section, header, .actions');
		if (box && !inside(r, box.getBoundingClientRect())) problems.push(name(e) + ' reaches out of its ' + box.tagName.toLowerCase());
	}
	// Interactive and result elements must not overlap one another.
	const items = [...document.querySelectorAll('button, a[href], .badge, .detail, .none, tbody th code, td.who')].filter(shown);
	const boxes = items.map((e) => e.getBoundingClientRect());
	for (let i = 0; i < items.length; i++) {
		for (let j = i + 1; j < items.length; j++) {
			const [a, b] = [boxes[i], boxes[j]];
			const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
			const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
			if (w > eps && h > eps) problems.push(name(items[i]) + ' overlaps ' + name(items[j]));
		}
	}
	return problems;
})()`
