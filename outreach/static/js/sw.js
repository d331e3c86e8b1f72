/* The Outreach service worker (served at /sw.js, scope "/"; self.OUTREACH_SW is put in front by the server).
 *
 * - The shell (CSS, JS, icons, the offline page) is kept at install and served from the phone.
 * - Pages load from the network; an attendance page that came with X-Offline-Keep-Until is kept on the phone,
 *   sealed under the session's list key (offline-store.js), so that it opens again without a connection. Other
 *   pages offline: the offline page.
 * - The first answer that says the session is gone (401, or a page that ends on the sign-in page) wipes the key
 *   and the kept lists.
 * - Marks saved offline are sent by Background Sync where the browser has it (the pages also send them on
 *   the `online` event and at every page load).
 */
'use strict';

var CONFIG = self.OUTREACH_SW;
var SHELL = 'outreach-shell-' + CONFIG.version;
var PAGES = 'outreach-pages';
// the attendance list and the pupils' questionnaire (outcomes/answer.html) are kept on the phone
var ATTENDANCE_PAGE = /^\/workshops\/\d+\/(attendance|answers\/(before|after|each))\/?$/;
var NETWORK_TIMEOUT_MS = 6000;

importScripts(CONFIG.store);

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(CONFIG.shell).then(function () {
      return caches.open(PAGES);
    }).then(function (pages) {
      return pages.match(CONFIG.offline).then(function (have) {
        return have || fetch(CONFIG.offline, {credentials: 'omit'}).then(function (response) {
          return response.ok ? pages.put(CONFIG.offline, response) : null;
        }).catch(function () { return null; });
      });
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf('outreach-shell-') === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () {
    return OutreachOffline.purgeExpired().catch(function () { return 0; });
  }).then(function () { return self.clients.claim(); }));
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error('timeout')); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

function offlinePage() {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(CONFIG.offline, {ignoreSearch: true, ignoreVary: true});
  });
}

function fromPhone(path, keepable) {
  var kept = keepable ? OutreachOffline.keptPage(path).catch(function () { return undefined; }) : Promise.resolve();
  return kept.then(function (page) {
    return page || offlinePage();
  }).then(function (page) {
    return page || new Response('Offline', {status: 503, headers: {'Content-Type': 'text/plain; charset=utf-8'}});
  });
}

function page(request, event) {
  var url = new URL(request.url);
  var keepable = ATTENDANCE_PAGE.test(url.pathname);
  return withTimeout(fetch(request), NETWORK_TIMEOUT_MS).then(function (response) {
    if (response.status === 401 || (response.redirected && new URL(response.url).pathname === CONFIG.login)) {
      event.waitUntil(OutreachOffline.forget().catch(function () { return null; }));
    }
    var keepUntil = response.headers.get('X-Offline-Keep-Until');
    var userId = parseInt(response.headers.get('X-Offline-User') || '', 10);
    if (keepable && response.ok && keepUntil && userId) {
      var copy = response.clone();
      var workshopId = parseInt(url.pathname.split('/')[2], 10);
      event.waitUntil(OutreachOffline.claim(userId).then(function () {
        return OutreachOffline.keepPage(url.pathname, copy, {workshopId: workshopId, keepUntil: keepUntil,
                                                             fetchedAt: Date.now()});
      }).catch(function () { return null; }));
    }
    return response;
  }, function () {
    return fromPhone(url.pathname, keepable);
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.shell.indexOf(url.pathname + url.search) !== -1 || CONFIG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request, {ignoreVary: true}).then(function (hit) { return hit || fetch(request); });
    }));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(page(request, event));
  }
});

self.addEventListener('sync', function (event) {
  if (event.tag === 'attendance-marks') {
    event.waitUntil(OutreachOffline.syncWaiting().then(function (outcome) {
      // still offline, or not signed in: let the browser try again later
      if (outcome && outcome.error) throw new Error('not sent');
    }));
  }
});

self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'sync') {
    event.waitUntil(OutreachOffline.syncWaiting().catch(function () { return null; }));
  }
});
