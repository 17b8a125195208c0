from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path

from board import account_views, feeds, file_views
from board.forms import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm


def health(request):
    """A constant answer through the whole middleware stack: the load balancer's check and the
    benchmarks' floor."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Where browsers and feed readers look without asking the page: the hashed static file."""
    return redirect(static("board/favicon.ico"))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health, name="health"),
    path("robots.txt", feeds.robots_txt, name="robots"),
    path("feed/rss/", feeds.LatestPostsFeed(), name="feed-rss"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed-atom"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": feeds.SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": feeds.SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", account_views.Logout.as_view(), name="logout"),
    # Forgotten passwords: a link by mail (Django's own views, board.account_views).
    path("accounts/password/reset/", account_views.PasswordReset.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Per-board feeds; the default board's are the ones above.
    path("<slug:slug>/feed/rss/", feeds.LatestPostsFeed(), name="feed-rss"),
    path("<slug:slug>/feed/atom/", feeds.LatestPostsAtomFeed(), name="feed-atom"),
]
if settings.DEBUG or settings.SERVE_MEDIA:
    # Uploaded images through a view that checks their article: an embargoed or removed
    # article's photos are for staff only (see README "Running it in production").
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", file_views.media_file, name="media"
        )
    )
# Last: boards take the addresses left over (/<slug>/).
urlpatterns.append(path("", include("board.urls")))

handler500 = "board.account_views.server_error"
