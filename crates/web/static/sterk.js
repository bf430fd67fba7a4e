// After htmx swaps in an answer (a save, or a refused one: 409 and 422 are swapped too, so the
// message reaches the person), focus goes to the message or the error summary, so keyboard and
// screen-reader users hear what happened and continue from there (WCAG 2.4.3, 3.3.1, 4.1.3).
document.addEventListener('htmx:afterSettle', () => {
  const message = document.querySelector('#inhoud [role="alert"], #inhoud [role="status"]');
  if (message) {
    message.setAttribute('tabindex', '-1');
    message.focus();
  }
});

// A delete asks first: forms with data-confirm submit only when the person agrees. Capturing on
// the document runs before htmx's own submit handler, so a boosted form is stopped as well.
document.addEventListener('submit', (event) => {
  const question = event.target instanceof HTMLFormElement ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);

// A folded panel stays folded: the person's choice is kept per panel in this browser, also across
// htmx swaps. On a phone a panel marked data-fold-narrow starts folded, so the work is not pushed
// down a screen; that is not saved as a choice. Storage may be refused: the panels still work.
const narrow = window.matchMedia('(max-width: 60rem)');
const stored = (key, value) => {
  try {
    if (value === undefined) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch {
    return null;
  }
  return null;
};
const restoreFolds = () => {
  for (const fold of document.querySelectorAll('details.sterk-fold[id]:not([data-kept])')) {
    fold.dataset.kept = '';
    const key = `sterk-fold:${fold.id}`;
    const kept = stored(key);
    const auto = kept === null && 'foldNarrow' in fold.dataset && narrow.matches;
    if (kept === 'closed' || auto) fold.open = false;
    let skip = auto;
    fold.addEventListener('toggle', () => {
      if (skip) {
        skip = false;
        return;
      }
      stored(key, fold.open ? 'open' : 'closed');
    });
  }
};
document.addEventListener('DOMContentLoaded', restoreFolds);
document.addEventListener('htmx:afterSettle', restoreFolds);

// A table wider than its box says so above it: the box scrolls sideways, which its thin edge
// alone does not tell on a phone. The hint is for the eye (hidden from screen readers, which read
// the whole table); it shows only while the table is wider than its box, followed by a
// ResizeObserver (the window, an opened panel, a swapped-in table).
const showHint = (box) => {
  const wide = box.scrollWidth > box.clientWidth + 1;
  let hint = box.previousElementSibling;
  if (!hint || !hint.classList.contains('sterk-scroll-hint')) {
    if (!wide) return;
    hint = document.createElement('p');
    hint.className = 'sterk-scroll-hint sterk-muted sterk-small';
    hint.setAttribute('aria-hidden', 'true');
    hint.textContent = 'Schuif de tabel opzij voor meer kolommen →';
    box.before(hint);
  }
  hint.hidden = !wide;
};
const boxes = new ResizeObserver((entries) => entries.forEach((e) => showHint(e.target)));
const watchTables = () => {
  // A hint whose table htmx swapped away goes with it.
  for (const hint of document.querySelectorAll('.sterk-scroll-hint')) {
    const next = hint.nextElementSibling;
    if (!next || !next.classList.contains('utrecht-table-container')) hint.remove();
  }
  for (const box of document.querySelectorAll('.utrecht-table-container:not([data-watched])')) {
    box.dataset.watched = '';
    boxes.observe(box);
  }
};
document.addEventListener('DOMContentLoaded', watchTables);
document.addEventListener('htmx:afterSettle', watchTables);
