"""The platform's own identity on its pages (issue 19, item 1): its name and emblem, not
CKAN's; its own About page; no social buttons, no "Follow", no Gravatar (initials); the share
type instead of a licence box; people's full names and departments' titles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from ckan.tests import factories, helpers

from ckanext.govshare.tests import factories as gs

#: What must never be on a page of the platform.
FORBIDDEN = {
    "gravatar": re.compile(r"gravatar", re.I),
    "CKAN logo": re.compile(r"ckan-logo|ckan\.ico|ckan-footer-logo"),
    "social buttons": re.compile(r"twitter\.com|facebook\.com"),
    "CKAN's links": re.compile(r"ckan\.org|opendefinition\.org/od/|od_80x15"),
    # A person's or a department's image_url may name any site (the factories' do): never
    # fetched by a reader's browser.
    "an outside image": re.compile(r"<img [^>]*src=\"(https?:)?//", re.S),
}


def assert_clean(page: str) -> None:
    found = {what: p.pattern for what, p in FORBIDDEN.items() if p.search(page)}
    assert found == {}


@dataclass
class World:
    department: dict[str, Any]
    officer: dict[str, Any]
    staff: dict[str, Any]
    open_entry: dict[str, Any]
    conditional: dict[str, Any]
    token: str


def build() -> World:
    gs.Department(name="sharing-authority", title="省政务服务和数据管理局")
    department = gs.Department(name="ministry-of-public-security", title="公安部")
    officer = factories.User(name="mps-officer", fullname="张伟（公安部数据管理员）")
    staff = factories.User(name="mps-staff", fullname="欧阳明华（公安部工作人员）")
    helpers.call_action(
        "organization_member_create", id=department["id"], username=officer["name"], role="admin"
    )
    helpers.call_action(
        "organization_member_create", id=department["id"], username=staff["name"], role="member"
    )
    open_entry = gs.SharingEntry(
        owner_org=department["id"], share_type="unconditional", license_id="cc-by"
    )
    conditional = gs.SharingEntry(
        owner_org=department["id"], share_type="conditional", license_id="other-closed"
    )
    sysadmin = factories.Sysadmin()
    token = helpers.call_action(
        "api_token_create",
        context={"user": sysadmin["name"], "ignore_auth": True},
        user=staff["name"],
        name="identity-pages",
    )["token"]
    return World(department, officer, staff, open_entry, conditional, token)


@pytest.fixture
def world(module_world: Any) -> World:
    return module_world(build)


def get(app: Any, url: str, world: World | None = None) -> str:
    headers = {"Authorization": world.token} if world else {}
    response = app.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.body


def sidebar(page: str) -> str:
    match = re.search(r'<aside class="secondary[^"]*"[^>]*>(.*?)</aside>', page, re.S)
    assert match, "no sidebar"
    return match.group(1)


# --- the name, the emblem, the footer ---------------------------------------------------------


def test_home_names_the_platform_with_its_emblem_and_favicon_not_ckan(app: Any, world: World):
    page = get(app, "/")
    assert re.search(r'<div class="h1"><a href="/[^"]*">政务数据共享平台</a>', page)
    assert '<div class="h2">Government data sharing platform</div>' in page
    assert 'class="header-text-logo-tagline' in page  # the emblem sits beside the name (CSS)
    assert '<link rel="shortcut icon" href="/govshare/favicon.svg"' in page
    assert "<title>" in page and "政务数据共享平台" in page.split("</title>")[0]
    assert_clean(page)


def test_the_emblem_and_the_colours_are_served(app: Any, world: World):
    emblem = app.get("/govshare/emblem.svg")
    assert emblem.status_code == 200 and "<svg" in emblem.body
    css = re.search(r'href="([^"]*govshare[^"]*\.css)"', get(app, "/"))
    assert css, "the platform's stylesheet is not linked"
    body = app.get(css.group(1)).body
    assert "--govshare-primary:" in body and 'url("/govshare/emblem.svg")' in body


def test_the_footer_names_who_runs_the_platform_and_no_ckan_links(app: Any, world: World):
    page = get(app, "/en/")
    footer = page[page.index('<footer class="site-footer">') :]
    # The operator defaults to the sharing authority's department, by its title.
    assert re.search(r"<strong>Run by</strong>\s*省政务服务和数据管理局", footer)
    assert "Powered by" not in footer and "CKAN Association" not in footer
    assert "Built on the open-source CKAN software" in footer
    assert_clean(footer)


@pytest.mark.ckan_config("ckan.site_title", "CKAN")
@pytest.mark.ckan_config("ckan.site_description", "")
@pytest.mark.ckan_config("ckan.site_logo", "/base/images/ckan-logo.png")
@pytest.mark.ckan_config("ckan.favicon", "/base/images/ckan.ico")
def test_where_the_site_keeps_ckans_defaults_the_platforms_own_show(app: Any, world: World):
    page = get(app, "/")
    assert re.search(r'<div class="h1"><a href="/[^"]*">政务数据共享平台</a>', page)
    assert '<div class="h2">Government data sharing platform</div>' in page
    assert '<link rel="shortcut icon" href="/govshare/favicon.svg"' in page
    assert_clean(page)


@pytest.mark.ckan_config("ckan.site_title", "浙江省公共数据平台")
@pytest.mark.ckan_config("ckan.site_description", "一网通享")
@pytest.mark.ckan_config("ckanext.govshare.about.operator.en", "Zhejiang Big Data Bureau")
@pytest.mark.ckan_config("ckanext.govshare.about.operator.zh_Hans_CN", "浙江省大数据发展管理局")
@pytest.mark.ckan_config("ckanext.govshare.about.contact_phone", "0571-12345678")
def test_a_configured_name_operator_and_phone_show_instead(app: Any, world: World):
    page = get(app, "/")
    assert re.search(r'<div class="h1"><a href="/[^"]*">浙江省公共数据平台</a>', page)
    assert '<div class="h2">一网通享</div>' in page
    assert "政务数据共享平台" not in page.split("</header>")[0]
    assert re.search(r"<strong>[^<]+</strong>\s*浙江省大数据发展管理局", page)
    assert '<a href="tel:057112345678">0571-12345678</a>' in page
    english = get(app, "/en/")
    assert re.search(r"<strong>Run by</strong>\s*Zhejiang Big Data Bureau", english)


@pytest.mark.ckan_config("ckan.site_logo", "/images/province-logo.png")
def test_a_configured_logo_replaces_the_text_name(app: Any, world: World):
    page = get(app, "/")
    assert re.search(r'<img src="/images/province-logo.png"\s+alt="政务数据共享平台"', page)


# --- the About page ---------------------------------------------------------------------------


def test_about_page_is_the_platforms_own_with_the_rule_profile(app: Any, world: World):
    page = get(app, "/en/about")
    assert "About 政务数据共享平台" in page
    assert re.search(r"<strong>Run by</strong>\s*省政务服务和数据管理局", page)
    assert "government departments share the data they hold" in page
    # The profile in force (tests run under the 2016 Measures unless they name one).
    assert re.search(r'data-profile="measures-2016">\s*<a href="[^"]*">[^<]*2016', page)
    # None of CKAN's English boilerplate (home/snippets/about_text.html).
    assert "open-source data portal" not in page and "CKAN is" not in page
    assert_clean(page)
    chinese = get(app, "/about")
    assert "现行规则" in chinese or 'data-profile="measures-2016"' in chinese


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
@pytest.mark.ckan_config("ckanext.govshare.about.text.en", "The **provincial** platform.")
@pytest.mark.ckan_config("ckanext.govshare.about.text.zh_Hans_CN", "本省的**政务数据**共享平台。")
@pytest.mark.ckan_config("ckanext.govshare.about.contact_email", "share@example.gov.cn")
@pytest.mark.ckan_config("ckanext.govshare.about.contact_address", "杭州市省府路8号")
def test_about_page_shows_the_configured_text_in_each_language_and_the_contacts(
    app: Any, world: World
):
    english = get(app, "/en/about")
    assert "The <strong>provincial</strong> platform." in english
    assert "government departments share the data they hold" not in english
    assert 'data-profile="regulation-2025"' in english
    assert '<a href="mailto:share@example.gov.cn">share@example.gov.cn</a>' in english
    assert "杭州市省府路8号" in english
    chinese = get(app, "/about")
    assert "本省的<strong>政务数据</strong>共享平台。" in chinese
    assert "provincial" not in chinese


# --- entry pages: no social buttons, the share type instead of a licence ---------------------


def test_an_unconditional_open_entry_shows_its_share_type_and_its_licence(app: Any, world: World):
    page = get(app, f"/en/dataset/{world.open_entry['name']}", world)
    side = sidebar(page)
    assert "govshare-share-box" in side
    assert "Unconditional sharing" in side
    assert "Every department may obtain this data without applying." in side
    assert re.search(
        r"<dt>Open to the public</dt>\s*<dd class=\"govshare-open\">Open to the public</dd>", side
    )
    # Open to the public: its licence too.
    assert re.search(r"<dt>Licence</dt>\s*<dd class=\"govshare-licence\">\s*<a [^>]*>", side)
    assert "Social" not in side
    assert_clean(page)


def test_a_conditional_entry_shows_its_share_type_and_no_licence_box(app: Any, world: World):
    page = get(app, f"/dataset/{world.conditional['name']}", world)
    side = sidebar(page)
    assert "有条件共享" in side
    assert "govshare-share-box" in side
    assert 'class="module module-narrow module-shallow license"' not in side
    assert "Not Open" not in page and "govshare-licence" not in side
    assert_clean(page)


def test_a_resource_page_has_no_social_buttons(app: Any, world: World):
    entry = helpers.call_action("package_show", id=world.open_entry["id"])
    page = get(app, f"/dataset/{entry['name']}/resource/{entry['resources'][0]['id']}", world)
    assert_clean(page)


# --- people and departments -------------------------------------------------------------------


def test_a_user_page_shows_initials_and_the_full_name_without_follow(app: Any, world: World):
    page = get(app, f"/en/user/{world.officer['name']}", world)
    assert re.search(
        r'<span class="govshare-avatar user-image" role="img" aria-label="张伟（公安部数据管理员）"'
        r'[^>]*--govshare-avatar-size: 270px[^>]*><span aria-hidden="true">张伟</span>',
        page,
    )
    # CKAN 2.11 heads the user's box with <h1>, 2.12 with <h2>.
    assert re.search(r'<h([12]) class="heading">张伟（公安部数据管理员）</h\1>', page)
    assert "Followers" not in page and "follow_button" not in page
    assert not re.search(r">\s*Follow\s*<", page)
    assert_clean(page)


def test_the_department_page_shows_its_title_initials_and_no_follow(app: Any, world: World):
    page = get(app, f"/en/organization/{world.department['name']}", world)
    assert re.search(r'<h[12] class="heading">公安部', page)  # <h1> on CKAN 2.11, <h2> on 2.12
    assert re.search(
        r'<span class="govshare-avatar govshare-avatar-department" role="img" aria-label="公安部"'
        r'[^>]*><span aria-hidden="true">公安</span>',
        page,
    )
    assert "placeholder-organization" not in page
    assert "Followers" not in page and not re.search(r">\s*Follow\s*<", page)
    assert_clean(page)


def test_the_departments_list_and_the_home_page_show_departments_by_title_and_initials(
    app: Any, world: World
):
    listing = get(app, "/en/organization/", world)
    assert '<h2 class="media-heading">公安部</h2>' in listing
    assert 'aria-label="公安部"' in listing and 'aria-hidden="true">公安</span>' in listing
    assert "placeholder-organization" not in listing
    assert_clean(listing)
    assert_clean(get(app, "/"))


def test_the_members_list_shows_full_names_with_initials(app: Any, world: World):
    page = get(app, f"/en/organization/members/{world.department['name']}", world)
    for person, initials in (
        ("张伟（公安部数据管理员）", "张伟"),
        ("欧阳明华（公安部工作人员）", "明华"),
    ):
        assert f'aria-label="{person}"' in page
        assert f'<span aria-hidden="true">{initials}</span>' in page
        assert f">{person}</a>" in page
    assert_clean(page)


def test_the_header_shows_the_logged_in_persons_initials(app: Any, world: World):
    page = get(app, "/en/dataset/", world)
    header = page.split("</header>")[0]
    assert 'aria-label="欧阳明华（公安部工作人员）"' in header
    assert "--govshare-avatar-size: 22px" in header
    assert_clean(page)


def test_the_name_helpers_give_full_names_and_titles_for_login_and_url_names(
    app: Any, world: World
):
    import ckan.plugins.toolkit as tk

    with app.flask_app.test_request_context():
        assert tk.h.govshare_person_name("mps-officer") == "张伟（公安部数据管理员）"
        assert tk.h.govshare_person_name(world.staff["id"]) == "欧阳明华（公安部工作人员）"
        assert tk.h.govshare_person_name("nobody-here") == "nobody-here"
        assert tk.h.govshare_person_name(None) == ""
        assert tk.h.govshare_department_title("ministry-of-public-security") == "公安部"
        assert tk.h.govshare_department_title(world.department["id"]) == "公安部"
        assert tk.h.govshare_department_title("no-such-department") == "no-such-department"
        assert tk.h.govshare_operator() == "省政务服务和数据管理局"
