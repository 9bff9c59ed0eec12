"""[console] in a site file: defaults, and every mistake named with file, line and fix."""

import pytest

from controller.site import SiteError, default_site_path, load_site
from controller.site.console_section import is_local, split_listen

DEMO = default_site_path().read_text(encoding="utf-8")
DEMO = DEMO[:DEMO.index("\n[console]")]  # each case writes its own [console]


def _site(tmp_path, console: str):
    path = tmp_path / "site.toml"
    path.write_text(DEMO + "\n[console]\n" + console, encoding="utf-8")
    return path


def _problem(tmp_path, console: str):
    path = _site(tmp_path, console)
    with pytest.raises(SiteError) as caught:
        load_site(path)
    assert len(caught.value.problems) == 1, str(caught.value)
    return caught.value.problems[0], path.read_text(encoding="utf-8").splitlines()


def test_defaults_listen_on_this_machine_in_chinese():
    console = load_site().console
    assert (console.listen, console.locale, console.cert) == ("127.0.0.1:8080", "zh-CN", "")


def test_listen_locale_and_tls_files_are_read(tmp_path):
    (tmp_path / "c.pem").write_text("x")
    (tmp_path / "k.pem").write_text("x")
    site = load_site(_site(tmp_path, 'listen = "0.0.0.0:8443"\nlocale = "en"\n'
                                     'cert = "c.pem"\nkey = "k.pem"\n'))
    assert site.console.listen == "0.0.0.0:8443" and site.console.locale == "en"
    assert site.console.cert == str(tmp_path / "c.pem")  # relative to the site file


def test_remote_listen_without_tls_is_refused_with_the_line_and_fix(tmp_path):
    problem, lines = _problem(tmp_path, 'listen = "0.0.0.0:8080"\n')
    assert lines[problem.line - 1] == 'listen = "0.0.0.0:8080"'
    assert "without TLS" in problem.what and "cert and key" in problem.fix


def test_remote_listen_without_tls_allowed_only_when_said_explicitly(tmp_path):
    site = load_site(_site(tmp_path, 'listen = "0.0.0.0:8080"\nallow_insecure_remote = true\n'))
    assert site.console.allow_insecure_remote


@pytest.mark.parametrize("text, what", [
    ('locale = "fr"\n', "must be one of zh-CN, en"),
    ('listen = "8080"\n', "not host:port"),
    ('listen = "127.0.0.1:70000"\n', "port must be 0..65535"),
    ('cert = "missing.pem"\nkey = "missing.pem"\n', "no such file"),
    ('colour = "red"\n', "unknown key"),
])
def test_mistakes_name_the_line(tmp_path, text, what):
    path = _site(tmp_path, text)
    with pytest.raises(SiteError) as caught:
        load_site(path)
    problems = caught.value.problems
    assert problems and all(p.line > 0 for p in problems), str(caught.value)
    assert any(what in p.what for p in problems), str(caught.value)


def test_listen_parsing():
    assert split_listen("[::1]:0") == ("::1", 0)
    assert is_local("127.0.0.1") and is_local("::1") and is_local("localhost")
    assert not is_local("0.0.0.0") and not is_local("192.168.1.5")
