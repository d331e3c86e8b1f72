"""Issue 22, part 2, played as the attacker did: after keeping the next 7 days' lists, read everything the
browser holds for the site (every Cache Storage entry, every IndexedDB record, binary ones decoded) and find no
child's name; the key is a non-extractable CryptoKey; sign-out deletes key and lists; a session ended on another
device deletes them at the phone's first online answer; a list goes a day after its workshop unless its marks
still wait."""
from __future__ import annotations

from datetime import timedelta

import pytest

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups import services as signups
from tests.attendance.test_offline_browser import PHONE, controlled, kept_paths, shot, sign_in, wait_until_kept
from tests.conftest import PASSWORD
from tests.factories import make_school, make_student, make_user, make_workshop

pytestmark = pytest.mark.browser

# Everything the site keeps in the browser, as text: Cache Storage bodies, and IndexedDB records with their
# binary parts (ArrayBuffers, typed arrays) decoded as UTF-8 too, so a name stored as bytes is found as well.
EVERYTHING = """async () => {
  const out = [];
  const decode = (bytes) => new TextDecoder('utf-8', {fatal: false}).decode(bytes);
  const walk = (value) => {
    if (value === null || value === undefined) return;
    if (value instanceof ArrayBuffer) { out.push(decode(new Uint8Array(value))); return; }
    if (ArrayBuffer.isView(value)) { out.push(decode(new Uint8Array(value.buffer))); return; }
    if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) { out.push('[CryptoKey]'); return; }
    if (typeof value === 'object') { Object.keys(value).forEach((k) => { out.push(k); walk(value[k]); }); return; }
    out.push(String(value));
  };
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      out.push(request.url);
      const response = await cache.match(request);
      out.push(decode(new Uint8Array(await response.arrayBuffer())));
    }
  }
  const dbs = indexedDB.databases ? await indexedDB.databases() : [{name: 'outreach-offline'}];
  for (const info of dbs) {
    const db = await new Promise((resolve, reject) => {
      const q = indexedDB.open(info.name); q.onsuccess = () => resolve(q.result); q.onerror = () => reject(q.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const rows = await new Promise((resolve) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result); r.onerror = () => resolve([]);
      });
      walk(rows);
    }
    db.close();
  }
  return out.join('\\n');
}"""

# the list key as the phone holds it
KEY = """() => new Promise((resolve) => {
  const q = indexedDB.open('outreach-offline');
  q.onsuccess = () => {
    const db = q.result;
    const r = db.transaction('meta').objectStore('meta').get('listkey');
    r.onsuccess = async () => {
      db.close();
      const k = r.result && r.result.cryptoKey;
      if (!k) { resolve(null); return; }
      let exported = true;
      try { await crypto.subtle.exportKey('raw', k); } catch (e) { exported = false; }
      resolve({type: k.constructor.name, extractable: k.extractable, algorithm: k.algorithm.name, exported});
    };
  };
})"""


@pytest.fixture
def trip():
    """A coordinator (Kazakh) with a workshop on now and one tomorrow, six confirmed students between them."""
    coordinator = make_user("coordinator", locale="kk")
    now = make_workshop(starts_at=utcnow() - timedelta(minutes=20), title={"kk": "Домбыра үйірмесі"})
    tomorrow = make_workshop(starts_at=utcnow() + timedelta(days=1), title={"kk": "Ертеңгі би сабағы"})
    school = make_school()
    students = [make_student(school, first_name=first, last_name=last, grade=5)
                for first, last in (("Айару", "Сейітова"), ("Дана", "Ұлықбекқызы"), ("Томирис", "Жаңабаева"),
                                    ("Нұрсұлтан", "Әбілқасымов"), ("Ерасыл", "Қожахметов"), ("Зарина", "Тұрсынбаева"))]
    signups.register(now.id, [s.id for s in students[:3]], actor=coordinator)
    signups.register(tomorrow.id, [s.id for s in students[3:]], actor=coordinator)
    db.session.commit()
    return coordinator, (now, tomorrow), students


def keep_lists(page) -> None:
    controlled(page)
    page.get_by_role("button", name="Алдағы 7 күннің қатысу тізімдерін осы телефонда сақтау").click()
    page.wait_for_function("() => document.querySelector('[data-keep-status]').textContent.includes('2')",
                           timeout=20000)


def names_found(page, students) -> list[str]:
    held = page.evaluate(EVERYTHING)
    return [part for s in students for part in (s.first_name, s.last_name) if part in held]


def test_kept_lists_hold_no_name_in_plain_text_and_sign_out_deletes_them(live_server, browser, trip):
    coordinator, workshops, students = trip
    context = browser.new_context(viewport=PHONE, locale="kk-KZ")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, coordinator)
    keep_lists(page)
    paths = [f"/workshops/{w.id}/attendance" for w in workshops]
    assert sorted(kept_paths(page)) == sorted(paths)
    shot(page, "i22-kept-kk-390")

    # the attacker's read: 0 of the 12 names (first and last of 6 students) anywhere on the device
    assert names_found(page, students) == []
    key = page.evaluate(KEY)
    assert key == {"type": "CryptoKey", "extractable": False, "algorithm": "AES-GCM", "exported": False}

    # and yet the lists open offline, names and all (decrypted in the page's worker)
    context.set_offline(True)
    page.goto(f"{live_server}{paths[1]}")
    assert page.locator("label:has-text('Нұрсұлтан')").count() == 1
    page.goto(f"{live_server}{paths[0]}")
    assert page.locator("label:has-text('Айару')").is_visible()
    assert names_found(page, students) == []  # opening them stored nothing in clear

    # sign-out (online): key and lists gone
    context.set_offline(False)
    page.goto(f"{live_server}/")
    page.evaluate("() => document.querySelector('form[data-sign-out]').requestSubmit()")
    page.wait_for_url("**/login**")
    page.wait_for_timeout(300)
    assert kept_paths(page) == [] and page.evaluate(KEY) is None
    context.set_offline(True)
    page.goto(f"{live_server}{paths[0]}")
    assert page.locator("#attendance-form").count() == 0
    assert errors == []
    context.close()


def test_a_session_ended_on_another_device_deletes_the_lists_at_the_first_online_answer(live_server, browser,
                                                                                          trip):
    coordinator, workshops, students = trip
    phone = browser.new_context(viewport=PHONE, locale="kk-KZ")
    page = phone.new_page()
    sign_in(page, live_server, coordinator)
    keep_lists(page)
    path = f"/workshops/{workshops[0].id}/attendance"
    phone.set_offline(True)  # the phone is lost, offline

    # the owner, on a computer in Russian: Account → "Sign out on all devices"
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    other = desk.new_page()
    other.goto(f"{live_server}/login?lang=ru")
    other.fill("input[name=email]", coordinator.email)
    other.fill("input[name=password]", PASSWORD)
    other.click("form button[type=submit]")
    other.wait_for_load_state()
    other.goto(f"{live_server}/account?lang=ru")
    shot(other, "i22-account-ru-1366")
    other.get_by_role("button", name="Выйти на всех устройствах").click()
    other.wait_for_url("**/login**")
    assert "Выполнен выход на всех устройствах" in other.inner_text("main")
    shot(other, "i22-signed-out-everywhere-ru-1366")
    desk.close()

    # still offline: what a lost phone gives away until it is online (README): the list opens
    page.goto(f"{live_server}{path}")
    assert page.locator("label:has-text('Айару')").is_visible()
    # online: the first answer (the kept list's address now ends on the sign-in page) deletes key and lists
    phone.set_offline(False)
    page.goto(f"{live_server}{path}")
    page.wait_for_url("**/login**")
    page.wait_for_function(f"() => ({KEY})().then(k => k === null)", timeout=10000)
    assert kept_paths(page) == []
    phone.set_offline(True)
    page.goto(f"{live_server}{path}")
    assert page.locator("#attendance-form").count() == 0
    phone.close()


def test_a_list_with_marks_not_yet_sent_stays_after_its_day(live_server, browser):
    coordinator = make_user("coordinator", locale="kk")
    school = make_school()
    old = make_workshop(starts_at=utcnow() - timedelta(hours=2), duration_minutes=60)
    student = make_student(school, first_name="Әлия", last_name="Сәрсенова", grade=5)
    signups.register(old.id, [student.id], actor=coordinator)
    db.session.commit()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, coordinator)
    path = f"/workshops/{old.id}/attendance"
    page.goto(f"{live_server}{path}")
    wait_until_kept(page, path)
    # a day after the workshop (the phone's clock moved on: its keep-until date is now in the past)
    page.evaluate("""(path) => new Promise(r => { const q = indexedDB.open('outreach-offline'); q.onsuccess = () => {
        const t = q.result.transaction('lists', 'readwrite'); const s = t.objectStore('lists');
        s.get(path).onsuccess = (e) => { const v = e.target.result; v.keepUntil = '2000-01-01T00:00:00+00:00'; s.put(v); };
        t.oncomplete = () => { q.result.close(); r(); }; }; })""", path)
    # marks taken there wait on the phone: the list stays past its day, and goes once they are sent
    page.evaluate(f"() => OutreachOffline.saveBatch({coordinator.id}, {old.id}, [], false)")
    page.evaluate("() => OutreachOffline.purgeExpired()")
    assert path in kept_paths(page)
    page.evaluate("""() => OutreachOffline.allBatches().then(bs => Promise.all(bs.map(b => {
        b.state = 'sent'; return new Promise(r => { const q = indexedDB.open('outreach-offline'); q.onsuccess = () => {
          const t = q.result.transaction('batches', 'readwrite'); t.objectStore('batches').put(b);
          t.oncomplete = () => { q.result.close(); r(); }; }; }); })))""")
    page.evaluate("() => OutreachOffline.purgeExpired()")
    assert path not in kept_paths(page)
    context.close()
