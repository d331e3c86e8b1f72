/* Small behaviours of the pages, in a file: the Content-Security-Policy allows no inline script or on*= handler.
   Each behaviour is switched on by a data- attribute in the templates. */
(function () {
  'use strict';

  // <form data-confirm="Question?">: ask before submitting
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <select data-autosubmit>: choosing a value submits its form (a <noscript> button does it without JS);
  // <form data-autosubmit>: any choice in it submits it (the form says so beforehand, WCAG 3.2.2)
  document.addEventListener('change', function (event) {
    var field = event.target;
    var form = field && field.form;
    if (!form || !(field instanceof HTMLSelectElement || field instanceof HTMLInputElement)) { return; }
    if (field.hasAttribute('data-autosubmit') || form.hasAttribute('data-autosubmit')) {
      if (field instanceof HTMLInputElement && field.value && !field.checkValidity()) { return; }
      form.submit();
    }
  });

  // <input data-select-on-focus>: the whole value is selected, ready to copy
  document.addEventListener('focusin', function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute('data-select-on-focus')) {
      field.select();
    }
  });

  function ready(fn) {
    if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', fn); } else { fn(); }
  }

  ready(function () {
    // schools/detail.html: copy the invitation link
    var copy = document.getElementById('copy-link');
    var link = document.getElementById('invitation-link');
    if (copy && link) {
      copy.addEventListener('click', function () {
        var done = function () { copy.textContent = copy.dataset.copied; };
        link.select();
        if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(link.value).then(done); }
        else { document.execCommand('copy'); done(); }
      });
    }
    // workshops/attendance.html: static/js/attendance.js (the count, "mark all", saving on the phone)
  });
})();
