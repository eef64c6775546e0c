"""The interactive API docs (/api/docs/, drf-spectacular's Swagger UI from the sidecar's static
files) work under the site's Content Security Policy: nothing blocked, the operations listed."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every CSP violation the page meets, whatever the console says about it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_swagger_ui_renders_the_operations_with_no_csp_violation(live_server, page) -> None:
    from playwright.sync_api import expect

    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(live_server.url + "/api/docs/")
    assert response is not None and response.status == 200
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=15_000)
    assert operations.count() > 20
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/items/")
    # Opening an operation draws more of the UI (parameters, responses, the "try it out" button).
    operations.first.locator(".opblock-summary").click()
    expect(operations.first.locator(".opblock-body")).to_be_visible()
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], violations
    assert [e for e in page.console_errors if "Content Security Policy" in e or "Content-Security-Policy" in e] == []
    assert page.console_errors == [], page.console_errors


def test_the_docs_page_says_its_language(live_server, page) -> None:
    """axe's html-has-lang (serious): drf-spectacular's own page has a bare <html>; ours says the
    language it is written in, English (Swagger UI's text and the descriptions), whatever the
    request's. The Swagger UI's own colours are checked below."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator(".info")).to_contain_text("Errors always have the shape")
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["html-has-lang", "html-lang-valid"]}})
    assert [v["id"] for v in results.response["violations"]] == []
    assert page.console_errors == [], page.console_errors


def test_the_docs_page_has_enough_contrast(live_server, page) -> None:
    """Walkthrough: Swagger UI's own colours failed WCAG AA contrast (white on its light blue and
    green method badges, the authorize button, the version badges, the base URL, a parameter's
    place, the examples' red on grey); static/css/api_docs.css darkens them. Checked with an
    operation of each kind open, its example shown."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    for kind in ("get", "post"):
        page.locator(f".opblock-{kind} .opblock-summary").first.click()
    expect(page.locator(".highlight-code").first).to_be_visible(timeout=10_000)
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["color-contrast"]}})
    failing = [n["target"] for v in results.response["violations"] for n in v["nodes"]]
    assert failing == [], failing[:10]
