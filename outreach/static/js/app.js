/* On every page: the service worker, wiping kept attendance lists at sign-out (or when another user signs in),
 * sending marks still waiting on the phone, and the dashboard's "keep the next 7 days' lists" button. */
(function () {
  'use strict';

  var body = document.body;
  var userId = parseInt(body.getAttribute('data-user-id') || '', 10) || null;
  var shellPage = body.hasAttribute('data-shell-page');  // the offline page: shown from the phone, for anyone
  var O = window.OutreachOffline;

  if ('serviceWorker' in navigator && body.getAttribute('data-sw')) {
    navigator.serviceWorker.register(body.getAttribute('data-sw'), {scope: '/'}).catch(function () { return null; });
  }
  if (!O || !window.indexedDB || !window.caches) return;

  // Sign-out wipes the kept lists and their key first (marks still waiting stay: they are sent only under their
  // own user).
  document.querySelectorAll('form[data-sign-out]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (form.getAttribute('data-wiped')) return;
      event.preventDefault();
      var done = function () { form.setAttribute('data-wiped', '1'); form.submit(); };
      O.forget().then(done, done);
    });
  });

  if (!shellPage) {
    if (userId === null) {
      O.forget().catch(function () { return null; });  // signed out (or the session ended)
    } else {
      O.signedIn(userId).then(function () {  // another user's lists go; ours, if the session ended elsewhere
        return navigator.onLine ? O.checkSession() : null;
      }).catch(function () { return null; });
    }
  }
  O.purgeExpired().catch(function () { return null; });

  // The offline page, in this page's language.
  var lang = document.documentElement.getAttribute('lang');
  var offlineUrl = body.getAttribute('data-offline-url');
  if (navigator.onLine && offlineUrl && !shellPage && localStorage.getItem('outreach-offline-lang') !== lang) {
    fetch(offlineUrl + '?lang=' + encodeURIComponent(lang), {credentials: 'omit'}).then(function (response) {
      if (!response.ok) return null;
      return caches.open(O.PAGES).then(function (cache) { return cache.put(offlineUrl, response); })
        .then(function () { localStorage.setItem('outreach-offline-lang', lang); });
    }).catch(function () { return null; });
  }

  // Marks waiting on the phone go as soon as there is a connection: now, on `online`, and every 10 s.
  function send() {
    if (!navigator.onLine) return;
    O.allBatches().then(function (batches) {
      if (batches.some(function (b) { return b.state === 'waiting'; })) return O.syncWaiting();
      return null;
    }).catch(function () { return null; });
  }
  window.OutreachSend = send;
  send();
  window.addEventListener('online', send);
  window.addEventListener('online', function () {  // back online: the first answer says if the session lives
    if (userId !== null && !shellPage) O.checkSession().catch(function () { return null; });
  });
  setInterval(send, 10000);

  // The offline page lists what is kept on the phone.
  var keptList = document.querySelector('[data-kept-lists]');
  if (keptList) {
    O.lists().then(function (entries) {
      entries = entries.filter(function (e) { return e.title; })
        .sort(function (a, b) { return (a.startsAt || '').localeCompare(b.startsAt || ''); });
      if (!entries.length) return;
      var ul = keptList.querySelector('ul');
      entries.forEach(function (entry) {
        var li = document.createElement('li');
        li.className = 'list-group-item';
        var a = document.createElement('a');
        a.href = entry.path;
        a.textContent = entry.title;
        var when = document.createElement('div');
        when.className = 'small text-body-secondary';
        when.textContent = entry.when || '';
        li.appendChild(a);
        li.appendChild(when);
        ul.appendChild(li);
      });
      keptList.hidden = false;
      var none = document.querySelector('[data-kept-none]');
      if (none) none.hidden = true;
    }).catch(function () { return null; });
  }

  // The dashboard: keep the next seven days' attendance lists on this phone.
  var keep = document.querySelector('[data-keep-lists]');
  if (keep && userId && keep.querySelector('button')) {
    var button = keep.querySelector('button');
    var status = keep.querySelector('[data-keep-status]');
    var wanted = JSON.parse(keep.getAttribute('data-keep-lists'));
    var say = function (name) { status.textContent = keep.getAttribute('data-msg-' + name); };
    O.lists().then(function (entries) {
      var have = {};
      entries.forEach(function (e) { have[e.path] = true; });
      if (wanted.length && wanted.every(function (w) { return have[w.path]; })) say('kept');
    }).catch(function () { return null; });
    button.addEventListener('click', function () {
      if (!navigator.onLine) { say('offline'); return; }
      button.disabled = true;
      say('working');
      O.claim(userId).then(function () {
        return Promise.all(wanted.map(function (w) {
          return fetch(w.path, {credentials: 'same-origin', cache: 'no-store'}).then(function (response) {
            var until = response.headers.get('X-Offline-Keep-Until');
            if (!response.ok || !until || response.redirected) throw new Error('not kept');
            return O.keepPage(w.path, response, {workshopId: w.workshop_id, keepUntil: until, title: w.title,
                                                 when: w.when, startsAt: w.starts_at, fetchedAt: Date.now()});
          });
        }));
      }).then(function () { say('done'); }, function () { say('failed'); })
        .then(function () { button.disabled = false; });
    });
  }
})();
