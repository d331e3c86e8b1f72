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
  function ready() {
    var summary = document.querySelector('[data-error-summary]');
    if (summary) summary.focus();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready); else ready();
})();
