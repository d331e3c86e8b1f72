/* What the phone keeps for offline attendance, shared by the pages and the service worker.
 *
 * IndexedDB "outreach-offline":
 *   batches  — marks (and pupils' answers, kind "answers", see saveAnswers) saved on the phone, one batch per "Save": {key, userId, workshopId, marks:[{workshop_id,
 *              student_id, present, marked_at}], savedAt, state: waiting|sent|failed, blocked: null|signin|
 *              other_user, result, seen}. Ids and times only, no names.
 *   lists    — attendance pages kept for offline use: {path, workshopId, keepUntil, title, when, sealed: {iv, data,
 *              type}}. The page itself (it names the children) is only ever stored sealed: AES-GCM under the
 *              list key, never in plain text and never in the Cache Storage. Wiped at sign-out, when the server
 *              first says the session is gone (401, the sign-in page), when another user signs in, when the key
 *              changes, and one day after the workshop unless marks taken there are still waiting.
 *   meta     — {key: "owner", userId}: whose lists are kept; {key: "listkey", userId, keyId, cryptoKey}: the list
 *              key the server hands to the signed-in session (GET /attendance/session), imported as a
 *              non-extractable CryptoKey: scripts can use it, not read it out.
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
      var request = global.indexedDB.open(DB_NAME, 2);
      request.onupgradeneeded = function (event) {
        var db = request.result;
        if (!db.objectStoreNames.contains('batches')) {
          db.createObjectStore('batches', {keyPath: 'key'}).createIndex('workshop', 'workshopId');
        }
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', {keyPath: 'key'});
        if (!db.objectStoreNames.contains('lists')) {
          db.createObjectStore('lists', {keyPath: 'path'});
        } else if (event.oldVersion < 2) {
          // version 1 kept the pages in plain text in the Cache Storage: those lists go (wipeLists and
          // purgeExpired drop the pages themselves)
          request.transaction.objectStore('lists').clear();
        }
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };  // a newer page or worker upgrades
        resolve(db);
      };
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

  /* Pupils' answers (outcomes/answer.html): a batch of kind "answers", {items: [{signup_id, phase, answers}]}
   * — sign-up ids and values, never a name. Sent like the marks, to /attendance/answers; answering again
   * replaces on the server, so a batch sent twice changes nothing. */
  function saveAnswers(userId, workshopId, items) {
    var batch = {key: newKey(), kind: 'answers', userId: userId, workshopId: workshopId, items: items,
                 savedAt: Date.now(), state: 'waiting', blocked: null, result: null, seen: false};
    return put('batches', batch).then(function () { announce({type: 'saved', key: batch.key}); return batch; });
  }

  /* A workshop's batches of one kind: "marks" (attendance; the default) or "answers". */
  function batchesFor(workshopId, kind) {
    kind = kind || 'marks';
    return all('batches').then(function (batches) {
      return batches.filter(function (b) { return b.workshopId === workshopId && (b.kind || 'marks') === kind; })
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
            var gone = sessionGone(session.status);
            if (gone || session.status === 403) {
              if (gone) forget().catch(function () { return null; });  // the lists and the key go; marks stay
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
        var answers = batch.kind === 'answers';
        return fetchJson(answers ? '/attendance/answers' : '/attendance/sync', {
          method: 'POST',
          headers: {'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': session.csrf_token},
          body: JSON.stringify(answers
            ? {idempotency_key: batch.key, user_id: batch.userId, workshop_id: batch.workshopId, items: batch.items}
            : {idempotency_key: batch.key, user_id: batch.userId, marks: batch.marks, flash: !!batch.flash})
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

  // ------------------------------------------------------------------------------------- the list key

  /* An answer that says the session is gone: 401, or a redirect (to the sign-in page). */
  function sessionGone(status) {
    return status === 401 || status === 0 || (status >= 300 && status < 400);
  }

  function fromBase64(text) {
    var raw = global.atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  /* The key of the signed-in session's lists, asked of the server and kept as a non-extractable CryptoKey.
   * Resolves to the CryptoKey, or null when the session is gone (then the lists and the key are wiped). */
  function listKey(userId) {
    return fetchJson('/attendance/session').then(function (session) {
      if (sessionGone(session.status)) return forget().then(function () { return null; });
      if (session.status !== 200 || !session.body || !session.body.list_key) throw new Error('no key');
      if (session.body.user_id !== userId) throw new Error('another user');
      var keyId = session.body.list_key_id;
      return get('meta', 'listkey').then(function (stored) {
        if (stored && stored.userId === userId && stored.keyId === keyId && stored.cryptoKey) return stored.cryptoKey;
        // a new key (the account's sessions were ended, another user): lists sealed under the old one go
        return wipeLists().then(function () {
          return global.crypto.subtle.importKey('raw', fromBase64(session.body.list_key), {name: 'AES-GCM'}, false,
                                                ['encrypt', 'decrypt']);
        }).then(function (cryptoKey) {
          return put('meta', {key: 'listkey', userId: userId, keyId: keyId, cryptoKey: cryptoKey})
            .then(function () { return put('meta', {key: 'owner', userId: userId}); })
            .then(function () { return cryptoKey; });
        });
      });
    });
  }

  /* Sign-out, or the server saying the session is gone: the key and every kept list leave the phone. Marks
   * still waiting stay (ids and times, no names): they are sent when their user signs in again. */
  function forget() {
    return wipeLists().then(function () { return remove('meta', 'listkey'); })
      .then(function () { announce({type: 'forgotten'}); });
  }

  /* Ask the server whether the session holding the lists still lives (on every page load online). */
  function checkSession() {
    return get('meta', 'listkey').then(function (stored) {
      if (!stored) return null;
      return fetchJson('/attendance/session').then(function (session) {
        if (sessionGone(session.status)) return forget();
        if (session.status === 200 && session.body &&
            (session.body.user_id !== stored.userId || session.body.list_key_id !== stored.keyId)) return forget();
        return null;
      });
    });
  }

  // --------------------------------------------------------------------------------------- kept lists

  /* Keep an attendance page sealed: its HTML encrypted (AES-GCM, a fresh 96-bit IV) under the list key. */
  function keepPage(path, response, info) {
    return Promise.all([response.text(), get('meta', 'listkey')]).then(function (got) {
      var html = got[0];
      var stored = got[1];
      var key = Promise.resolve(stored ? stored.cryptoKey : null);  // claim() fetched it
      return key.then(function (cryptoKey) {
        if (!cryptoKey) throw new Error('signed out');
        var iv = global.crypto.getRandomValues(new Uint8Array(12));
        return global.crypto.subtle.encrypt({name: 'AES-GCM', iv: iv}, cryptoKey, new TextEncoder().encode(html))
          .then(function (data) {
            return get('lists', path).then(function (old) {
              var entry = Object.assign({path: path}, old || {}, info);
              entry.sealed = {iv: iv, data: data, type: response.headers.get('Content-Type') || 'text/html'};
              return put('lists', entry);
            });
          });
      });
    });
  }

  function lists() { return all('lists'); }

  function describeList(path, info) {
    return get('lists', path).then(function (old) {
      if (!old) return null;
      return put('lists', Object.assign(old, info));
    });
  }

  /* Whose lists the phone holds; another user's are wiped first; the list key is fetched when missing. */
  function claim(userId) {
    return get('meta', 'owner').then(function (owner) {
      var same = owner && owner.userId === userId;
      return (same ? Promise.resolve() : wipeLists().then(function () { return remove('meta', 'listkey'); }))
        .then(function () { return put('meta', {key: 'owner', userId: userId}); })
        .then(function () { return get('meta', 'listkey'); })
        .then(function (stored) { return stored && stored.userId === userId ? stored.cryptoKey : listKey(userId); })
        .then(function (cryptoKey) { if (!cryptoKey) throw new Error('signed out'); return !same; });
    });
  }

  /* A page of a signed-in user: another user's lists and key go (without asking the server anything). */
  function signedIn(userId) {
    return get('meta', 'owner').then(function (owner) {
      return owner && owner.userId !== userId ? forget() : null;
    });
  }

  var ATTENDANCE_PAGE = /^\/workshops\/\d+\/attendance\/?$/;

  /* Attendance pages in the Cache Storage (kept there in plain text before version 2): never wanted now. */
  function dropPlainPages() {
    if (!global.caches) return Promise.resolve();
    return global.caches.open(PAGES).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (r) { return ATTENDANCE_PAGE.test(new URL(r.url).pathname); })
          .map(function (r) { return cache.delete(r); }));
      });
    });
  }

  function wipeLists() {
    return tx('lists', 'readwrite', function (s) { return req(s.clear()); })
      .then(function () { return remove('meta', 'owner'); })
      .then(dropPlainPages);
  }

  /* A list goes a day after its workshop (keepUntil, from the server), unless marks taken there still wait. */
  function purgeExpired() {
    var now = Date.now();
    return Promise.all([all('lists'), all('batches')]).then(function (got) {
      var waiting = {};
      got[1].forEach(function (b) { if (b.state === 'waiting') waiting[b.workshopId] = true; });
      var old = got[0].filter(function (e) {
        return (!e.keepUntil || Date.parse(e.keepUntil) < now || !e.sealed) && !(e.sealed && waiting[e.workshopId]);
      });
      return Promise.all(old.map(function (e) { return remove('lists', e.path); }))
        .then(dropPlainPages).then(function () { return old.length; });
    });
  }

  /* A kept page, opened with the list key: a Response, or undefined when there is none (or the key is gone). */
  function keptPage(path) {
    return Promise.all([get('lists', path.replace(/\/$/, '')), get('meta', 'listkey')]).then(function (got) {
      var entry = got[0];
      var stored = got[1];
      if (!entry || !entry.sealed || !stored) return undefined;
      return global.crypto.subtle.decrypt({name: 'AES-GCM', iv: entry.sealed.iv}, stored.cryptoKey, entry.sealed.data)
        .then(function (plain) {
          return new Response(plain, {status: 200, headers: {'Content-Type': entry.sealed.type}});
        }, function () { return remove('lists', entry.path).then(function () { return undefined; }); });
    });
  }

  global.OutreachOffline = {
    PAGES: PAGES, saveBatch: saveBatch, saveAnswers: saveAnswers, batchesFor: batchesFor, markSeen: markSeen, syncWaiting: syncWaiting,
    allBatches: function () { return all('batches'); }, keepPage: keepPage, keptPage: keptPage, lists: lists,
    describeList: describeList, claim: claim, wipeLists: wipeLists, purgeExpired: purgeExpired, listen: listen,
    announce: announce, forget: forget, signedIn: signedIn, checkSession: checkSession, sessionGone: sessionGone
  };
})(self);
