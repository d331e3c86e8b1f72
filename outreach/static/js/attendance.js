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
  var items = Array.prototype.slice.call(form.querySelectorAll('.attendance-item'));
  var boxes = items.map(function (item) { return item.querySelector('input[name=present]'); });
  var counter = document.getElementById('attendance-count');
  var workshopId = parseInt(form.getAttribute('data-workshop-id'), 10);
  var userId = parseInt(form.getAttribute('data-user-id'), 10);
  var duration = parseInt(form.getAttribute('data-duration'), 10) || 1;
  var fetchedAt = form.getAttribute('data-fetched-at');
  var startsAt = Date.parse(form.getAttribute('data-starts-at'));
  var takenAt = {};
  boxes.forEach(function (b) { takenAt[b.value] = fetchedAt; });

  function el(id) { return document.getElementById(id); }
  /* The sticky save bar repeats the state that matters most (signed out, waiting, offline, sent) in one line,
   * so it stays in sight under the thumb however far the list is scrolled. */
  var BAR_STATES = ['attendance-signin', 'attendance-waiting', 'offline-banner', 'attendance-sent'];
  function barState() {
    var bar = el('attendance-bar-state');
    if (!bar) return;
    var shown = BAR_STATES.filter(function (id) { var node = el(id); return node && !node.hidden; })[0];
    bar.hidden = !shown;
    bar.className = 'small fw-semibold mb-1 bar-' + (shown || 'none');
    bar.textContent = shown ? bar.getAttribute('data-' + shown) : '';
  }
  function show(id, on) { var node = el(id); if (node) node.hidden = !on; barState(); }
  function now() { return new Date().toISOString(); }

  /* A row's mark: the tap says present or absent; the menu's late (with the minutes late), excused or
   * absent overrides it. */
  function radios(item) { return Array.prototype.slice.call(item.querySelectorAll('.mark-menu input[type=radio]')); }
  function lateInput(item) { return item.querySelector('.late-minutes input'); }
  function stateOf(item) {
    var chosen = radios(item).filter(function (r) { return r.checked; })[0];
    var value = chosen ? chosen.value : '';
    if (value === 'late' || value === 'excused' || value === 'absent') {
      var late = value === 'late' ? parseInt(lateInput(item).value, 10) : NaN;
      return {status: value, late: isNaN(late) ? null : late};
    }
    var box = item.querySelector('input[name=present]');
    return {status: (value === 'present' || box.checked) ? 'present' : 'absent', late: null};
  }
  function paint(item) {
    var state = stateOf(item);
    ['none', 'present', 'late', 'excused', 'absent'].forEach(function (s) { item.classList.remove('mark-' + s); });
    item.classList.add('mark-' + state.status);
    var badge = item.querySelector('.state-late');
    if (badge) {
      badge.textContent = state.late ? form.getAttribute('data-late-template').replace('__M__', state.late)
        : form.getAttribute('data-late-plain');
    }
  }
  function setState(item, status, late) {
    var box = item.querySelector('input[name=present]');
    box.checked = status === 'present';
    radios(item).forEach(function (r) {
      r.checked = (status === 'late' || status === 'excused') ? r.value === status : r.value === '';
    });
    if (status === 'late' && late) lateInput(item).value = late;
    paint(item);
  }
  function itemOf(studentId) {
    return items.filter(function (i) { return parseInt(i.getAttribute('data-student-id'), 10) === studentId; })[0];
  }

  function update() {
    var n = items.filter(function (i) { var s = stateOf(i).status; return s === 'present' || s === 'late'; }).length;
    counter.textContent = counter.getAttribute('data-template').replace('__P__', n).replace('__T__', items.length);
  }
  form.querySelectorAll('[data-mark]').forEach(function (button) {
    button.addEventListener('click', function () {
      var status = button.getAttribute('data-mark') === 'all' ? 'present' : 'absent';
      var at = now();
      items.forEach(function (item) { setState(item, status); takenAt[item.getAttribute('data-student-id')] = at; });
      update();
    });
  });
  items.forEach(function (item) {
    var sid = item.getAttribute('data-student-id');
    var menu = item.querySelector('.mark-menu');
    var box = item.querySelector('input[name=present]');
    box.addEventListener('change', function () {  // one tap: present, or back to absent
      setState(item, box.checked ? 'present' : 'absent');
      menu.open = false;
      takenAt[sid] = now(); update();
    });
    radios(item).forEach(function (radio) {
      radio.addEventListener('change', function () {
        if (!radio.checked) return;
        takenAt[sid] = now();
        if (radio.value === 'late') {
          setState(item, 'late');
          lateInput(item).focus();
        } else {
          setState(item, radio.value);
          menu.open = false;
        }
        update();
      });
    });
    item.querySelectorAll('.late-chip').forEach(function (chip) {
      chip.addEventListener('click', function () {
        setState(item, 'late', parseInt(chip.getAttribute('data-late'), 10));
        lateInput(item).classList.remove('is-invalid');
        menu.open = false;
        takenAt[sid] = now(); update();
      });
    });
    lateInput(item).addEventListener('input', function () {
      lateInput(item).classList.remove('is-invalid');
      if (stateOf(item).status !== 'late') setState(item, 'late');
      paint(item); takenAt[sid] = now(); update();
    });
    paint(item);
  });
  document.addEventListener('click', function (event) {  // a tap elsewhere closes an open menu
    items.forEach(function (item) {
      var menu = item.querySelector('.mark-menu');
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
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

  function nameOf(studentId) {
    var item = itemOf(studentId);
    var label = item && item.querySelector('.student-name');
    return label ? label.textContent.trim() : '#' + studentId;
  }

  /* A mark as the server has it (minutes attended) on the row (minutes late). */
  function showMark(item, mark, minutes) {
    setState(item, mark, mark === 'late' && minutes ? Math.max(duration - minutes, 1) : null);
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
          var item = itemOf(m.student_id);
          if (!item) return;
          showMark(item, m.mark || (m.present ? 'present' : 'absent'), m.minutes);
          takenAt[m.student_id] = m.marked_at;
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
            var row = itemOf(item.student_id);
            var b = row && row.querySelector('input[name=present]');
            if (item.status === 'refused') {
              var li = document.createElement('li');
              li.textContent = nameOf(item.student_id) + ' — ' + item.error.message;
              list.appendChild(li);
              if (b && item.error.code === 'not_confirmed') {  // no longer on the list: not to be ticked
                setState(row, 'absent');
                b.disabled = true;
              }
            }
            if (row && item.current !== null && !waiting.length) {
              showMark(row, item.current_mark || (item.current ? 'present' : 'absent'), item.current_minutes);
            }
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
    var missing = items.filter(function (item) {
      var state = stateOf(item);
      return state.status === 'late' && !(state.late >= 1 && state.late < Math.max(duration, 2));
    });
    if (missing.length) {  // a late student needs the minutes late
      missing.forEach(function (item) { lateInput(item).classList.add('is-invalid'); });
      var first = missing[0];
      first.querySelector('.mark-menu').open = true;
      lateInput(first).focus();
      return;
    }
    var marks = items.map(function (item) {
      var sid = item.getAttribute('data-student-id');
      var state = stateOf(item);
      return {workshop_id: workshopId, student_id: parseInt(sid, 10), mark: state.status,
              minutes: state.status === 'late' ? Math.max(duration - state.late, 1) : null,
              marked_at: takenAt[sid]};
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
