/* The sign-up pick page: "3 chosen · 2 seats left · 1 will wait" kept up to date as students are ticked, and the
   list narrowed as a name is typed (the search button does the same on the server, also without JavaScript). */
(function () {
  'use strict';
  var line = document.getElementById('seat-line');
  var form = line ? line.closest('form') : null;
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(line ? line.getAttribute('lang') : 'kk') : null;

  function say(part, n) {
    var el = line.querySelector('[data-part="' + part + '"]');
    var category = rules ? rules.select(n) : (n === 1 ? 'one' : 'other');
    var text = el.getAttribute('data-' + category) || el.getAttribute('data-other');
    el.textContent = (part === 'wait' ? '· ' : '') + text.replace('__N__', n);
    return el;
  }
  function update() {
    var chosen = form.querySelectorAll('input[name=student_ids]:checked').length;
    var seats = parseInt(line.getAttribute('data-seats'), 10) || 0;
    say('chosen', chosen);
    if (seats > 0) say('seats', seats);
    say('wait', Math.max(0, chosen - seats)).hidden = chosen <= seats;
  }
  if (line && form) {
    form.addEventListener('change', function (event) {
      if (event.target.name === 'student_ids') update();
    });
  }

  var search = document.querySelector('[data-live-filter]');
  if (search) {
    var rows = document.querySelector(search.getAttribute('data-live-filter'));
    var none = document.getElementById('pick-no-match');
    var fold = function (s) { return (s || '').toLocaleLowerCase().replace(/ё/g, 'е'); };
    search.addEventListener('input', function () {
      if (!rows) return;
      var words = fold(search.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.querySelectorAll('tr[data-name]').forEach(function (row) {
        var name = fold(row.getAttribute('data-name'));
        var match = words.every(function (w) { return name.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown++;
      });
      if (none) none.classList.toggle('d-none', shown > 0);
    });
  }
})();
