/* The attendance sheet, online or not.
 *
 * Saving keeps the marks on the phone first (IndexedDB, one batch with an idempotency key), then sends them:
 * at once when there is a connection, otherwise by Background Sync where the browser has it, on the `online`
 * event, every 10 s and at the next page load (app.js). Each mark carries the time it was taken: the time of
 * the tap, or for a student not touched the time the list was fetched, so a newer mark from another phone wins.
 * Without IndexedDB the form is posted as a plain form.
 */
(function () {
  'use strict';

  var form = document.getElementById('attendance-form');
  if (!form) return;
  var O = window.OutreachOffline;
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name=present]'));
  var counter = document.getElementById('attendance-count');
  var workshopId = parseInt(form.getAttribute('data-workshop-id'), 10);
  var userId = parseInt(form.getAttribute('data-user-id'), 10);
  var fetchedAt = form.getAttribute('data-fetched-at');
  var startsAt = Date.parse(form.getAttribute('data-starts-at'));
  var takenAt = {};
  boxes.forEach(function (b) { takenAt[b.value] = fetchedAt; });

  function el(id) { return document.getElementById(id); }
  function show(id, on) { var node = el(id); if (node) node.hidden = !on; }
  function now() { return new Date().toISOString(); }

  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    counter.textContent = counter.getAttribute('data-template').replace('__P__', n).replace('__T__', boxes.length);
  }
  form.querySelectorAll('[data-mark]').forEach(function (button) {
    button.addEventListener('click', function () {
      var on = button.getAttribute('data-mark') === 'all';
      var at = now();
      boxes.forEach(function (b) { b.checked = on; takenAt[b.value] = at; });
      update();
    });
  });
  boxes.forEach(function (b) {
    b.addEventListener('change', function () { takenAt[b.value] = now(); update(); });
  });

  // A list kept before the trip opens when the workshop starts.
  function opening() {
    if (!form.hidden) return;
    var wait = startsAt - Date.now();
    if (wait <= 0) {
      form.hidden = false;
      show('attendance-not-open', false);
    } else {
      setTimeout(opening, Math.min(wait + 500, 60000));
    }
  }
  opening();

  function connection() { show('offline-banner', !navigator.onLine); }
  window.addEventListener('online', connection);
  window.addEventListener('offline', connection);
  connection();

  if (!O || !window.indexedDB) return;  // the plain form still works

  var path = location.pathname;
  O.describeList(path, {title: form.getAttribute('data-title'), when: form.getAttribute('data-when'),
                        startsAt: form.getAttribute('data-starts-at')}).catch(function () { return null; });
  // The first visit happens before the service worker controls the page: keep the page from here then.
  if (navigator.onLine && !(navigator.serviceWorker && navigator.serviceWorker.controller) && window.caches) {
    fetch(path, {credentials: 'same-origin', cache: 'no-store'}).then(function (response) {
      var until = response.headers.get('X-Offline-Keep-Until');
      if (!response.ok || !until || response.redirected) return null;
      return O.claim(userId).then(function () {
        return O.keepPage(path, response, {workshopId: workshopId, keepUntil: until, fetchedAt: Date.now(),
                                           title: form.getAttribute('data-title'),
                                           when: form.getAttribute('data-when'),
                                           startsAt: form.getAttribute('data-starts-at')});
      });
    }).catch(function () { return null; });
  }

  function box(studentId) {
    return boxes.filter(function (b) { return parseInt(b.value, 10) === studentId; })[0];
  }

  function nameOf(studentId) {
    var b = box(studentId);
    var label = b && form.querySelector('label[for="' + b.id + '"] .student-name');
    return label ? label.textContent.trim() : '#' + studentId;
  }

  var appliedWaiting = {};

  /* Show what the phone holds for this workshop: waiting marks (ticked as saved), answers not seen yet. */
  function render() {
    return O.batchesFor(workshopId).then(function (batches) {
      var mine = batches.filter(function (b) { return b.userId === userId; });
      var others = batches.filter(function (b) { return b.userId !== userId && b.state === 'waiting'; });
      var waiting = mine.filter(function (b) { return b.state === 'waiting'; });
      waiting.forEach(function (batch) {
        if (appliedWaiting[batch.key]) return;
        appliedWaiting[batch.key] = true;
        batch.marks.forEach(function (m) {
          var b = box(m.student_id);
          if (b) { b.checked = m.present; takenAt[b.value] = m.marked_at; }
        });
      });
      var signin = waiting.some(function (b) { return b.blocked === 'signin'; });
      show('attendance-waiting', waiting.length > 0 && !signin);
      show('attendance-signin', signin);
      show('attendance-other-user', others.length > 0);
      var answered = mine.filter(function (b) { return b.state !== 'waiting' && !b.seen; });
      if (answered.length) {
        var refused = el('attendance-refused');
        var list = refused.querySelector('ul');
        list.textContent = '';
        var failed = null;
        answered.forEach(function (batch) {
          if (batch.state === 'failed') { failed = batch.error; return; }
          batch.result.items.forEach(function (item) {
            var b = box(item.student_id);
            if (item.status === 'refused') {
              var li = document.createElement('li');
              li.textContent = nameOf(item.student_id) + ' — ' + item.error.message;
              list.appendChild(li);
              if (b && item.error.code === 'not_confirmed') {  // no longer on the list: not to be ticked
                b.checked = false;
                b.disabled = true;
              }
            }
            if (b && item.current !== null && !waiting.length) b.checked = item.current;
          });
        });
        show('attendance-sent', answered.some(function (b) { return b.state === 'sent'; }) && !waiting.length);
        show('attendance-refused', list.children.length > 0);
        show('attendance-failed', failed !== null);
        if (failed !== null) el('attendance-failed').querySelector('span').textContent = failed;
        answered.forEach(function (b) { O.markSeen(b).catch(function () { return null; }); });
      } else if (waiting.length) {
        show('attendance-sent', false);
      }
      update();
      return waiting;
    });
  }

  function backgroundSync() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register('attendance-marks');
      return null;
    }).catch(function () { return null; });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var marks = boxes.map(function (b) {
      return {workshop_id: workshopId, student_id: parseInt(b.value, 10), present: b.checked,
              marked_at: takenAt[b.value]};
    });
    var online = navigator.onLine;
    O.saveBatch(userId, workshopId, marks, online).then(function (batch) {
      appliedWaiting[batch.key] = true;
      show('attendance-sent', false);
      show('attendance-refused', false);
      show('attendance-waiting', true);
      if (!online) { backgroundSync(); return null; }
      return O.syncWaiting().then(function () {
        return O.batchesFor(workshopId);
      }).then(function (batches) {
        var sent = batches.filter(function (b) { return b.key === batch.key; })[0];
        var clean = sent && sent.state === 'sent' && sent.result.items.every(function (i) {
          return i.status === 'applied' || i.status === 'unchanged';
        });
        if (clean) {  // online and all taken: back to the workshop, as a plain save does
          return O.markSeen(sent).then(function () { location.assign(form.getAttribute('data-done-url')); });
        }
        if (!sent || sent.state === 'waiting') backgroundSync();
        return render();
      }, function () { backgroundSync(); return render(); });
    }, function () {
      form.submit();  // no storage on this phone: send the form as it is
    });
  });

  O.listen(function (message) {
    if (message && (message.type === 'synced' || message.type === 'signin' || message.type === 'saved')) render();
  });
  render();
})();
