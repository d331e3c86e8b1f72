/* Pupils answer the questionnaire on the phone of whoever takes attendance, online or not (outcomes/answer.html).
 *
 * The adult taps a pupil's name; the names then go away and the pupil sees one question at a time, big faces
 * (grades 0–4) or stars (older pupils) to tap, "Skip" to leave one out; "Done!" keeps the answers on the phone
 * (IndexedDB, a batch of kind "answers": the sign-up id and the values, never a name), clears the screen and says
 * "give the phone back". Batches are sent like the attendance marks (offline-store.js): at once when online,
 * else on `online`, every 10 s and at the next page load. Without IndexedDB the form is posted as it is.
 */
(function () {
  'use strict';

  var form = document.getElementById('answers-form');
  if (!form) return;
  var O = window.OutreachOffline;
  var workshopId = parseInt(form.getAttribute('data-workshop-id'), 10);
  var userId = parseInt(form.getAttribute('data-user-id'), 10);
  var phase = form.getAttribute('data-phase');
  var facesUpTo = parseInt(form.getAttribute('data-faces-up-to'), 10);
  var pick = document.getElementById('answers-pick');
  var child = document.getElementById('answers-child');
  var thanks = document.getElementById('answers-thanks');
  var counter = document.getElementById('answers-count');
  var pupils = Array.prototype.slice.call(form.querySelectorAll('input[name=signup_id]'));
  var questions = Array.prototype.slice.call(form.querySelectorAll('.answer-question'));
  var current = 0;
  var local = {};  // sign-up ids answered on this phone (waiting or sent)

  function el(id) { return document.getElementById(id); }
  function show(id, on) { var node = el(id); if (node) node.hidden = !on; }
  function labelOf(input) { return form.querySelector('label[for="' + input.id + '"]'); }

  function connection() { show('offline-banner', !navigator.onLine); }
  window.addEventListener('online', connection);
  window.addEventListener('offline', connection);
  connection();

  function count() {
    var n = pupils.filter(function (p) { return labelOf(p).classList.contains('answered'); }).length;
    counter.textContent = counter.getAttribute('data-template').replace('__A__', n).replace('__T__', pupils.length);
  }

  function showQuestion(index) {
    current = Math.max(0, Math.min(index, questions.length - 1));
    questions.forEach(function (q, i) { q.hidden = i !== current; });
    var steps = questions[current].querySelector('.answer-steps');
    steps.querySelector('[data-step=back]').style.visibility = current === 0 ? 'hidden' : 'visible';
    steps.querySelector('[data-step=skip]').hidden = current === questions.length - 1;
    el('answers-done').hidden = current !== questions.length - 1;
    var legend = questions[current].querySelector('legend');
    legend.setAttribute('tabindex', '-1');
    legend.focus();
  }

  function clearAnswers() {
    form.querySelectorAll('.answer-question input').forEach(function (input) { input.checked = false; });
    form.querySelectorAll('.answer-option.lit').forEach(function (l) { l.classList.remove('lit'); });
  }

  function paintStars(question) {
    var inputs = Array.prototype.slice.call(question.querySelectorAll('input'));
    var chosen = inputs.filter(function (i) { return i.checked; })[0];
    var upTo = chosen ? parseInt(chosen.value, 10) : 0;
    inputs.forEach(function (input) { labelOf(input).classList.toggle('lit', parseInt(input.value, 10) <= upTo); });
  }

  function toPupil(input) {
    var grade = parseInt(input.getAttribute('data-grade'), 10);
    form.classList.toggle('answers-stars', !(grade <= facesUpTo));
    clearAnswers();
    document.body.classList.add('answering');
    pick.hidden = true;
    thanks.hidden = true;
    child.hidden = false;
    questions.forEach(function (q) { q.querySelector('.answer-steps').hidden = false; });
    showQuestion(0);
    window.scrollTo(0, 0);
  }

  function toAdult() {
    pupils.forEach(function (p) { p.checked = false; });
    clearAnswers();
    document.body.classList.remove('answering');
    thanks.hidden = true;
    child.hidden = true;
    pick.hidden = false;
    count();
  }

  pupils.forEach(function (input) {
    input.addEventListener('change', function () { if (input.checked) toPupil(input); });
  });
  questions.forEach(function (question, index) {
    question.querySelectorAll('input').forEach(function (input) {
      input.addEventListener('change', function () {
        if (question.getAttribute('data-kind') === 'scale5') paintStars(question);
        if (index < questions.length - 1) setTimeout(function () { showQuestion(index + 1); }, 350);
      });
    });
    question.querySelector('[data-step=back]').addEventListener('click', function () { showQuestion(index - 1); });
    question.querySelector('[data-step=skip]').addEventListener('click', function () { showQuestion(index + 1); });
  });
  el('answers-next').addEventListener('click', toAdult);

  if (child) child.hidden = true;

  function answersNow() {
    var answers = {};
    questions.forEach(function (question) {
      var chosen = question.querySelector('input:checked');
      if (!chosen) return;
      var key = question.getAttribute('data-key');
      answers[key] = question.getAttribute('data-kind') === 'scale5' ? parseInt(chosen.value, 10) : chosen.value === 'yes';
    });
    return answers;
  }

  function thank() {
    child.hidden = true;
    thanks.hidden = false;
    clearAnswers();
    var heading = thanks.querySelector('h2');
    heading.focus();
  }

  if (!O || !window.indexedDB) return;  // the plain form still works

  function markAnswered(signupId) {
    local[signupId] = true;
    var input = el('pupil-' + signupId);
    if (input) labelOf(input).classList.add('answered');
  }

  function render() {
    return O.batchesFor(workshopId, 'answers').then(function (batches) {
      var mine = batches.filter(function (b) { return b.userId === userId; });
      mine.forEach(function (b) {
        b.items.forEach(function (item) { if (item.phase === phase) markAnswered(item.signup_id); });
      });
      var waiting = mine.filter(function (b) { return b.state === 'waiting'; });
      var signin = waiting.some(function (b) { return b.blocked === 'signin'; });
      show('answers-waiting', waiting.length > 0 && !signin);
      show('answers-signin', signin);
      var failed = mine.filter(function (b) { return b.state === 'failed' && !b.seen; })[0];
      show('answers-failed', !!failed);
      if (failed) el('answers-failed').querySelector('span').textContent = failed.error;
      count();
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
    var chosen = pupils.filter(function (p) { return p.checked; })[0];
    if (!chosen) return;
    var answers = answersNow();
    var signupId = parseInt(chosen.value, 10);
    if (!Object.keys(answers).length) { thank(); return; }  // every question skipped: nothing to keep
    O.saveAnswers(userId, workshopId, [{signup_id: signupId, phase: phase, answers: answers}]).then(function () {
      markAnswered(signupId);
      thank();
      if (!navigator.onLine) { backgroundSync(); return render(); }
      return O.syncWaiting().then(render, function () { backgroundSync(); return render(); });
    }, function () {
      form.submit();  // no storage on this phone: send the form as it is
    });
  });

  // The first visit happens before the service worker controls the page: keep the page from here then.
  var path = location.pathname;
  O.describeList(path, {title: form.getAttribute('data-title'), when: form.getAttribute('data-when'),
                        startsAt: form.getAttribute('data-starts-at')}).catch(function () { return null; });
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

  O.listen(function (message) {
    if (message && (message.type === 'synced' || message.type === 'signin' || message.type === 'saved')) render();
  });
  render();
})();
