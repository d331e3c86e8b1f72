"""Sign-in limits kept in Redis (RATELIMIT_STORAGE_URI=redis://…): a real app server (gunicorn) and a real
redis-server of the test's own, stopped and started again, then frozen. With Redis down or frozen, signing in
answers 503 with a translated message and everything else keeps working."""
from __future__ import annotations

import pytest
import redis
import requests

from outreach.errors import LIMITED_ENDPOINTS
from outreach.extensions import db
from outreach.i18n import force_locale
from tests.conftest import PASSWORD
from tests.factories import make_user
from tests.servers import csrf_token, gunicorn, redis_server

pytestmark = pytest.mark.slow


def _sign_in(browser: requests.Session, base: str, email: str, password: str, lang: str = "en"):
    return browser.post(f"{base}/login", data={"email": email, "password": password,
                                               "csrf_token": csrf_token(browser, f"{base}/login")},
                        headers={"Accept-Language": lang}, allow_redirects=False, timeout=30)


def test_sign_in_limits_live_in_redis_and_redis_down_is_a_503(database_url, tmp_path):
    guesser = make_user("coordinator")
    coordinator = make_user("coordinator", name="Гүлнар")
    db.session.commit()
    with redis_server(tmp_path) as store:
        env = {"DATABASE_URL": database_url, "SECRET_KEY": "redis-test-secret", "OUTREACH_ENV": "development",
               "OUTREACH_INSTANCE_PATH": str(tmp_path / "instance"), "RATELIMIT_STORAGE_URI": store.url,
               "LOGIN_RATE_LIMIT": "3 per 5 minutes", "RATELIMIT_STORAGE_TIMEOUT": "1"}
        # the app starts with Redis configured (it used to exit: "'redis' prerequisite not available")
        with gunicorn(env, ["--workers", "2", "--threads", "2"], "/healthz", log_dir=tmp_path) as base:
            # failed sign-ins are counted in Redis, so both workers count them together
            browser = requests.Session()
            statuses = [_sign_in(browser, base, guesser.email, "wrong password").status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            assert redis.Redis.from_url(store.url).keys("LIMITS*")
            assert _sign_in(browser, base, coordinator.email, PASSWORD).status_code == 302  # another e-mail
            ready = requests.get(f"{base}/readyz", timeout=30)
            assert ready.status_code == 200 and ready.json()["checks"]["rate_limit_store"] == {
                "ok": True, "configured": True}

            store.stop()
            # signing in answers 503 at once, with a message in the person's language and Retry-After
            stranger = requests.Session()
            for lang in ("ru", "kk", "en"):
                response = _sign_in(stranger, base, coordinator.email, PASSWORD, lang=lang)
                assert response.status_code == 503 and response.elapsed.total_seconds() < 5
                assert int(response.headers["Retry-After"]) > 0
                with force_locale(lang):
                    message = str(LIMITED_ENDPOINTS["auth.login"])
                assert message in response.text
                assert f'lang="{lang}"' in response.text
                if lang != "en":
                    with force_locale("en"):
                        assert str(LIMITED_ENDPOINTS["auth.login"]) not in response.text  # translated
            api = requests.post(f"{base}/api/v1/tokens", json={"email": coordinator.email, "password": PASSWORD},
                                headers={"Accept-Language": "ru"}, timeout=30)
            assert api.status_code == 503 and api.headers["Retry-After"]
            with force_locale("ru"):
                assert api.json() == {"error": {"code": "service_unavailable",
                                                "message": str(LIMITED_ENDPOINTS["api.create_token"])}}
            # everything else works: the sign-in page, a signed-in person's pages, the API's document
            assert stranger.get(f"{base}/login", timeout=30).status_code == 200
            home = browser.get(f"{base}/", timeout=30)
            assert home.status_code == 200 and "Гүлнар" in home.text
            assert requests.get(f"{base}/api/v1/openapi.json", timeout=30).status_code == 200
            # the server says it is not ready (Redis is configured and does not answer), and that it is alive
            ready = requests.get(f"{base}/readyz", timeout=30)
            assert ready.status_code == 503 and ready.json()["checks"]["rate_limit_store"]["ok"] is False
            assert ready.json()["checks"]["database"]["ok"] is True
            assert requests.get(f"{base}/healthz", timeout=30).status_code == 200

            # Redis back: signing in works again, without restarting the app
            store.start()
            assert _sign_in(stranger, base, coordinator.email, PASSWORD).status_code == 302
            assert requests.get(f"{base}/readyz", timeout=30).status_code == 200

            # a frozen Redis: sign-in answers 503 after RATELIMIT_STORAGE_TIMEOUT (1 s here), not never
            store.freeze()
            try:
                response = _sign_in(requests.Session(), base, coordinator.email, PASSWORD)
                assert response.status_code == 503 and response.elapsed.total_seconds() < 5
                assert browser.get(f"{base}/", timeout=30).status_code == 200
            finally:
                store.thaw()
            assert _sign_in(requests.Session(), base, coordinator.email, PASSWORD).status_code == 302
