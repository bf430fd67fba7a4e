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
