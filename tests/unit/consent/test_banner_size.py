import gzip
from pathlib import Path

from steward.consent import banner

from ...consent_registers import shop_register


def test_banner_js_and_css_together_are_under_10_kb_gzipped() -> None:
    code = banner.SCRIPT.read_bytes() + banner.STYLE.read_bytes()
    assert len(gzip.compress(code, 9)) < 10 * 1024


def test_served_script_with_its_configuration_stays_under_10_kb_gzipped(tmp_path: Path) -> None:
    register = shop_register(tmp_path)
    config = banner.banner_config(
        register,
        lang="ru",
        endpoint="https://x/consent/choice",
        notice_version="v1",
        policy_url=None,
        choices=None,
        gpc_header=False,
    )
    served = banner.script(config, "https://x/consent/banner.css?v=1").encode()
    assert b"__CONFIG__" not in served and b"__STYLE__" not in served
    css, _version = banner.stylesheet()
    assert len(gzip.compress(served, 9)) + len(gzip.compress(css.encode(), 9)) < 10 * 1024


def test_banner_offers_only_consent_purposes_with_cookies(tmp_path: Path) -> None:
    register = shop_register(tmp_path)
    assert [p.id for p in banner.banner_purposes(register)] == ["analytics", "ads"]
    copy = banner.copy_of(register, "en")
    assert copy["essential"] == ["session (Shop)"]


def test_script_config_cannot_close_the_script_tag(tmp_path: Path) -> None:
    register = shop_register(tmp_path)
    config = banner.banner_config(
        register,
        lang="en",
        endpoint="</script><b>",
        notice_version="v",
        policy_url=None,
        choices=None,
        gpc_header=False,
    )
    assert "</script><b>" not in banner.script(config, "https://x/consent/banner.css?v=1")
