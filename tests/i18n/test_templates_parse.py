"""Every template parses: Babel's extractor silently skips one that does not, and its strings would vanish
from the catalogs at the next `make translations`."""
from scripts.check_templates import broken_templates


def test_every_template_parses_so_its_messages_are_extracted(tmp_path):
    assert broken_templates() == []
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bad.html").write_text("{{ f(**a, **b) }}{% trans %}Hello{% endtrans %}")
    assert [line.split(":")[0] for line in broken_templates(tmp_path)] == ["templates/bad.html"]
