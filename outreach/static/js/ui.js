/* The little behaviour the pages need, instead of Bootstrap's 80 KB of JavaScript: the phone menu (collapse),
   the navbar dropdowns, dismissible alerts, the form error summary taking the focus, and Enter on a checkbox
   ticking it instead of sending the form. Works with Bootstrap's markup (data-bs-*). No inline code (CSP). */
(function () {
  'use strict';

  function closest(el, selector) { return el && el.closest ? el.closest(selector) : null; }

  // --- collapse: the navbar toggler on a phone
  document.addEventListener('click', function (event) {
    var toggle = closest(event.target, '[data-bs-toggle="collapse"]');
    if (!toggle) return;
    event.preventDefault();
    var target = document.querySelector(toggle.getAttribute('data-bs-target') || toggle.getAttribute('href'));
    if (!target) return;
    var open = !target.classList.contains('show');
    target.classList.toggle('show', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    toggle.classList.toggle('collapsed', !open);
  });

  // --- dropdowns (the language and account menus)
  function menuOf(toggle) {
    var parent = toggle.parentElement;
    return parent ? parent.querySelector('.dropdown-menu') : null;
  }
  function items(menu) {
    return Array.prototype.filter.call(menu.querySelectorAll('.dropdown-item:not(.disabled):not(:disabled)'),
      function (el) { return el.offsetParent !== null; });
  }
  function hide(toggle, refocus) {
    var menu = menuOf(toggle);
    if (!menu || !menu.classList.contains('show')) return;
    menu.classList.remove('show');
    toggle.classList.remove('show');
    toggle.setAttribute('aria-expanded', 'false');
    if (refocus) toggle.focus();
  }
  function hideAll(except) {
    document.querySelectorAll('[data-bs-toggle="dropdown"][aria-expanded="true"]').forEach(function (t) {
      if (t !== except) hide(t, false);
    });
  }
  function show(toggle) {
    var menu = menuOf(toggle);
    if (!menu) return;
    hideAll(toggle);
    menu.setAttribute('data-bs-popper', 'static');
    menu.classList.add('show');
    toggle.classList.add('show');
    toggle.setAttribute('aria-expanded', 'true');
  }
  document.addEventListener('click', function (event) {
    var toggle = closest(event.target, '[data-bs-toggle="dropdown"]');
    if (toggle) {
      event.preventDefault();
      if (toggle.getAttribute('aria-expanded') === 'true') hide(toggle, false); else show(toggle);
      return;
    }
    if (!closest(event.target, '.dropdown-menu form')) hideAll(null);
  });
  document.addEventListener('keydown', function (event) {
    var toggle = closest(event.target, '[data-bs-toggle="dropdown"]');
    var menu = closest(event.target, '.dropdown-menu');
    if (!toggle && menu) toggle = menu.parentElement.querySelector('[data-bs-toggle="dropdown"]');
    if (!toggle) return;
    var key = event.key;
    if (key === 'Escape') { hide(toggle, true); return; }
    if (key === 'Tab' && menu) { setTimeout(function () {
      if (!closest(document.activeElement, '.dropdown')) hide(toggle, false); }, 0); return; }
    if (key !== 'ArrowDown' && key !== 'ArrowUp' && !(toggle === event.target && (key === ' ' || key === 'Enter'))) return;
    event.preventDefault();
    if (toggle.getAttribute('aria-expanded') !== 'true') show(toggle);
    var list = items(menuOf(toggle));
    if (!list.length) return;
    var at = list.indexOf(document.activeElement);
    var next = key === 'ArrowUp' ? (at <= 0 ? list.length - 1 : at - 1) : (at < 0 || at === list.length - 1 ? 0 : at + 1);
    if (key === ' ' || key === 'Enter') next = 0;
    list[next].focus();
  });

  // --- dismissible alerts
  document.addEventListener('click', function (event) {
    var button = closest(event.target, '[data-bs-dismiss="alert"]');
    if (!button) return;
    var alert = closest(button, '.alert');
    if (alert) alert.remove();
  });

  // --- Enter on a checkbox ticks it; it never sends a half-filled form (implicit submission)
  document.addEventListener('keydown', function (event) {
    var box = event.target;
    if (event.key !== 'Enter' || !box || box.tagName !== 'INPUT' || box.type !== 'checkbox') return;
    event.preventDefault();
    box.click();
  });

  // --- the error summary takes the focus; its links put the focus in the field
  function focusField(id) {
    var el = document.getElementById(id);
    if (el && !/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(el.tagName)) {
      el = el.querySelector('input, select, textarea') || el;
    }
    if (el) { el.focus(); if (el.scrollIntoView) el.scrollIntoView({block: 'center'}); }
  }
  document.addEventListener('click', function (event) {
    var link = closest(event.target, '[data-error-summary] a[data-focus]');
    if (!link) return;
    event.preventDefault();
    focusField(link.getAttribute('data-focus'));
  });
  // --- a large file shows how far its upload has got, then that it is being checked
  document.addEventListener('submit', function (event) {
    var form = closest(event.target, 'form[data-upload-progress]');
    var status = form && form.querySelector('[data-upload-status]');
    if (!status || !window.FormData || !window.XMLHttpRequest) return;
    event.preventDefault();
    var bar = status.querySelector('progress');
    var text = status.querySelector('span');
    var button = form.querySelector('[type=submit]');
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    var xhr = new XMLHttpRequest();
    status.hidden = false;
    if (button) button.disabled = true;
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round(e.loaded / e.total * 100);
      bar.value = percent;
      text.textContent = text.getAttribute('data-msg-sending').replace('{percent}', percent + '%');
      if (e.loaded >= e.total) { bar.removeAttribute('value'); text.textContent = text.getAttribute('data-msg-checking'); }
    });
    xhr.addEventListener('load', function () {
      // the answer is the next page (the preview, or the form with its errors): show it as it came
      document.open(); document.write(xhr.responseText); document.close();
    });
    xhr.addEventListener('error', function () { if (button) button.disabled = false; status.hidden = true; form.submit(); });
    xhr.open('POST', form.action);
    xhr.send(data);
  });

  function ready() {
    var summary = document.querySelector('[data-error-summary]');
    if (summary) summary.focus();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready); else ready();
  // --- searchable lists (artists, venues): a search box above the select hides the options that do not match.
  // Names are folded like outreach/naming.py does: case, Kazakh letters as Russian ones, Latin look-alikes.
  var LOOK = {A: 'а', B: 'в', C: 'с', E: 'е', H: 'н', I: 'и', K: 'к', M: 'м', O: 'о', P: 'р', T: 'т', X: 'х', Y: 'у',
    a: 'а', c: 'с', e: 'е', h: 'х', i: 'и', k: 'к', o: 'о', p: 'р', x: 'х', y: 'у'};
  var KK = {'і': 'и', 'ә': 'а', 'ө': 'о', 'ү': 'у', 'ұ': 'у', 'қ': 'к', 'ғ': 'г', 'ң': 'н', 'һ': 'х', 'ё': 'е'};
  function fold(text) {
    var out = '';
    for (var i = 0; i < text.length; i++) {
      var ch = LOOK[text[i]] || text[i].toLowerCase();
      out += KK[ch] || ch;
    }
    return out.replace(/\s+/g, ' ').trim();
  }
  document.querySelectorAll('select[data-searchable]').forEach(function (select) {
    var box = document.createElement('input');
    box.type = 'search';
    box.className = 'form-control form-control-sm mb-1';
    box.setAttribute('aria-label', select.getAttribute('data-searchable'));
    box.placeholder = select.getAttribute('data-searchable');
    box.setAttribute('aria-controls', select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener('input', function () {
      var wanted = fold(box.value);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var shown = !option.value || fold(option.text).indexOf(wanted) !== -1;
        option.hidden = !shown;
        if (shown && option.value && !first) first = option;
      });
      var current = select.selectedIndex < 0 ? null : select.options[select.selectedIndex];
      if (wanted && first && (!current || !current.value || current.hidden)) {
        select.value = first.value;
      }
    });
  });
})();
