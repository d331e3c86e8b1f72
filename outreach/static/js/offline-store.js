/* What the phone keeps for offline attendance, shared by the pages and the service worker.
 *
 * IndexedDB "outreach-offline":
 *   batches  — marks saved on the phone, one batch per "Save": {key, userId, workshopId, marks:[{workshop_id,
 *              student_id, present, marked_at}], savedAt, state: waiting|sent|failed, blocked: null|signin|
 *              other_user, result, seen}. Ids and times only, no names.
 *   lists    — attendance pages kept in the Cache Storage "outreach-pages": {path, workshopId, keepUntil, title,
 *              when}. Wiped at sign-out, when another user signs in, and after the workshop plus seven days.
 *   meta     — {key: "owner", userId}: whose lists are kept.
 * Sending: GET /attendance/session first (who is signed in, a fresh CSRF token); a batch goes only under the user
 * who took it. The server applies a batch once per idempotency key, so sending it twice is harmless.
 */
(function (global) {
  'use strict';

  var DB_NAME = 'outreach-offline';
  var PAGES = 'outreach-pages';
  var CHANNEL = 'outreach-offline';
  var SENT_KEPT_MS = 24 * 3600 * 1000;  // a sent batch's answer is shown once, then dropped after a day
  var dbPromise = null;

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = global.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        var batches = db.createObjectStore('batches', {keyPath: 'key'});
        batches.createIndex('workshop', 'workshopId');
        db.createObjectStore('lists', {keyPath: 'path'});
        db.createObjectStore('meta', {keyPath: 'key'});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  function tx(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var result;
        Promise.resolve(work(t.objectStore(store))).then(function (r) { result = r; });
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }

  function req(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function all(store) { return tx(store, 'readonly', function (s) { return req(s.getAll()); }); }
  function put(store, value) { return tx(store, 'readwrite', function (s) { return req(s.put(value)); }); }
  function remove(store, key) { return tx(store, 'readwrite', function (s) { return req(s.delete(key)); }); }
  function get(store, key) { return tx(store, 'readonly', function (s) { return req(s.get(key)); }); }

  function announce(message) {
    if (typeof BroadcastChannel === 'undefined') return;
    var channel = new BroadcastChannel(CHANNEL);
    channel.postMessage(message);
    channel.close();
  }

  function listen(callback) {
    if (typeof BroadcastChannel === 'undefined') return;
    new BroadcastChannel(CHANNEL).onmessage = function (event) { callback(event.data); };
  }

  function newKey() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // ------------------------------------------------------------------------------------------- batches

  /* `flash`: saved while online, with the coordinator waiting for the answer: the server then says
   * "Attendance saved" on the next page, as for a plain form. */
  function saveBatch(userId, workshopId, marks, flash) {
    var batch = {key: newKey(), userId: userId, workshopId: workshopId, marks: marks, savedAt: Date.now(),
                 state: 'waiting', blocked: null, result: null, seen: false, flash: !!flash};
    return put('batches', batch).then(function () { announce({type: 'saved', key: batch.key}); return batch; });
  }

  function batchesFor(workshopId) {
    return all('batches').then(function (batches) {
      return batches.filter(function (b) { return b.workshopId === workshopId; })
        .sort(function (a, b) { return a.savedAt - b.savedAt; });
    });
  }

  function markSeen(batch) {
    batch.seen = true;
    return put('batches', batch);
  }

  function withLock(work) {
    if (global.navigator && global.navigator.locks) {
      return global.navigator.locks.request('outreach-attendance-sync', work);
    }
    return work();
  }

  function fetchJson(url, options) {
    return fetch(url, Object.assign({credentials: 'same-origin', cache: 'no-store', redirect: 'manual',
                                     headers: {Accept: 'application/json'}}, options || {}))
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
          return {status: response.status, body: body};
        });
      });
  }

  /* Send every waiting batch of the signed-in user. Resolves to {offline|signin|sent: n}; rejects only when the
   * network failed, so Background Sync tries again. */
  function syncWaiting() {
    return withLock(function () {
      return all('batches').then(function (batches) {
        var now = Date.now();
        var stale = batches.filter(function (b) { return b.state !== 'waiting' && now - b.savedAt > SENT_KEPT_MS && b.seen; });
        var waiting = batches.filter(function (b) { return b.state === 'waiting'; });
        return Promise.all(stale.map(function (b) { return remove('batches', b.key); })).then(function () {
          if (!waiting.length) return {sent: 0};
          return fetchJson('/attendance/session').then(function (session) {
            if (session.status === 401 || session.status === 403 || session.status === 0 ||
                (session.status >= 300 && session.status < 400)) {
              return Promise.all(waiting.map(function (b) { b.blocked = 'signin'; return put('batches', b); }))
                .then(function () { announce({type: 'signin'}); return {signin: true}; });
            }
            if (session.status !== 200 || !session.body) return {error: session.status};
            return sendAll(waiting, session.body);
          });
        });
      });
    });
  }

  function sendAll(waiting, session) {
    var sent = 0;
    var chain = Promise.resolve();
    waiting.forEach(function (batch) {
      chain = chain.then(function () {
        if (batch.userId !== session.user_id) {  // never under another user: it waits for its own
          batch.blocked = 'other_user';
          return put('batches', batch);
        }
        return fetchJson('/attendance/sync', {
          method: 'POST',
          headers: {'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': session.csrf_token},
          body: JSON.stringify({idempotency_key: batch.key, user_id: batch.userId, marks: batch.marks,
                               flash: !!batch.flash})
        }).then(function (response) {
          if (response.status === 200 && response.body) {
            batch.state = 'sent';
            batch.blocked = null;
            batch.result = response.body;
            batch.sentAt = Date.now();
            sent += 1;
          } else if (response.status === 401 || response.status === 0) {
            batch.blocked = 'signin';
          } else if (response.status === 409 && response.body && response.body.error.code === 'other_user') {
            batch.blocked = 'other_user';
          } else if (response.status >= 400 && response.status < 500 && response.status !== 429) {
            batch.state = 'failed';  // the server will never take it as it is: say so, keep it visible
            batch.error = response.body && response.body.error ? response.body.error.message : String(response.status);
          } else {
            return null;  // a server hiccup: stays waiting, tried again later
          }
          return put('batches', batch);
        });
      });
    });
    return chain.then(function () { announce({type: 'synced', sent: sent}); return {sent: sent}; });
  }

  // --------------------------------------------------------------------------------------- kept lists

  function keepPage(path, response, info) {
    return caches.open(PAGES).then(function (cache) {
      return cache.put(path, response);
    }).then(function () {
      return get('lists', path);
    }).then(function (old) {
      return put('lists', Object.assign({path: path}, old || {}, info));
    });
  }

  function lists() { return all('lists'); }

  function describeList(path, info) {
    return get('lists', path).then(function (old) {
      if (!old) return null;
      return put('lists', Object.assign(old, info));
    });
  }

  /* Whose lists the phone holds; another user's are wiped first. */
  function claim(userId) {
    return get('meta', 'owner').then(function (owner) {
      if (owner && owner.userId === userId) return false;
      return wipeLists().then(function () { return put('meta', {key: 'owner', userId: userId}); })
        .then(function () { return true; });
    });
  }

  function wipeLists() {
    return all('lists').then(function (entries) {
      return caches.open(PAGES).then(function (cache) {
        return Promise.all(entries.map(function (e) { return cache.delete(e.path); }));
      }).then(function () {
        return tx('lists', 'readwrite', function (s) { return req(s.clear()); });
      }).then(function () {
        return remove('meta', 'owner');
      });
    });
  }

  function purgeExpired() {
    var now = Date.now();
    return all('lists').then(function (entries) {
      var old = entries.filter(function (e) { return !e.keepUntil || Date.parse(e.keepUntil) < now; });
      if (!old.length) return 0;
      return caches.open(PAGES).then(function (cache) {
        return Promise.all(old.map(function (e) { return cache.delete(e.path).then(function () { return remove('lists', e.path); }); }));
      }).then(function () { return old.length; });
    });
  }

  function keptPage(path) {
    return caches.open(PAGES).then(function (cache) { return cache.match(path, {ignoreSearch: true, ignoreVary: true}); });
  }

  global.OutreachOffline = {
    PAGES: PAGES, saveBatch: saveBatch, batchesFor: batchesFor, markSeen: markSeen, syncWaiting: syncWaiting,
    allBatches: function () { return all('batches'); }, keepPage: keepPage, keptPage: keptPage, lists: lists,
    describeList: describeList, claim: claim, wipeLists: wipeLists, purgeExpired: purgeExpired, listen: listen,
    announce: announce
  };
})(self);
