"""Accounts and the site around the pages: sign-up, the interface language, and the error
pages that need no database."""

import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import limits
from .forms import ResetForm, SignupForm
from .views import (
    safe_next,
    secure_cookies,
)


@require_safe
def choose_language(request, code):
    """Remember the reader's interface language in a cookie and go back. A plain link rather
    than Django's POST-only set_language, so that no page needs a CSRF token for it."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    response = redirect(safe_next(request, reverse("board:post-list")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=secure_cookies(request),
    )
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("board:post-list")
    form = SignupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            # Reserved before the slow password hashing, so parallel requests cannot pass it.
            reservation = limits.reserve_signup(limits.client_ip(request))
        except limits.RateLimited as limit:
            seconds, count = limit.args
            form.add_error(
                None,
                _("이 주소에서 가입이 너무 많습니다 (%(hours)d시간에 %(count)d명까지).")
                % {"hours": seconds // 3600, "count": count},
            )
            status = 429
        else:
            return complete_signup(request, form, reservation)
    context = {"form": form, "next": safe_next(request, "")}
    if form.errors and status == 200:
        status = 400
    return render(request, "registration/signup.html", context, status=status)


def complete_signup(request, form, reservation):
    # The password is hashed (the slow part, on purpose) before the transaction: on SQLite the
    # write lock is taken at BEGIN, and parallel sign-ups would queue behind each hash.
    try:
        user = form.save(commit=False)
        with transaction.atomic():
            user.save()
            form.save_m2m()
    except IntegrityError:
        # Another sign-up took the name between this form's check and its save.
        limits.release_signup(reservation)
        form.add_error(
            "username", get_user_model()._meta.get_field("username").error_messages["unique"]
        )
        context = {"form": form, "next": safe_next(request, "")}
        return render(request, "registration/signup.html", context, status=400)
    except Exception:
        limits.release_signup(reservation)  # no account made: the place is free again
        raise
    login(request, user, backend="board.auth.BoardBackend")
    messages.success(request, _("가입을 환영합니다, %(name)s 님.") % {"name": user.username})
    return redirect(safe_next(request, reverse("board:post-list")))


class PasswordReset(auth_views.PasswordResetView):
    """Asks for a reset link by mail. The same page follows for any address, with an account
    or not; the limits (board.limits.reserve_reset) count both alike."""

    form_class = ResetForm

    def form_valid(self, form):
        try:
            limits.reserve_reset(limits.client_ip(self.request), form.cleaned_data["email"])
        except limits.RateLimited as limit:
            seconds, count = limit.args
            form.add_error(
                None,
                _(
                    "재설정 요청이 너무 많습니다 (%(minutes)d분에 %(count)d번까지). "
                    "잠시 후 다시 시도해 주세요."
                )
                % {"minutes": seconds // 60, "count": count},
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class Logout(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_in:
            messages.success(request, _("로그아웃했습니다."))
        return response


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request):
    """500, or 503 while the database cannot be reached: both pages need no database."""
    error = sys.exc_info()[1]
    request.nav_boards = []  # no navigation bar: these pages read nothing from the database
    if isinstance(error, DATABASE_DOWN):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "10"
        return response
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    context = {
        "error_code": 403,
        "error_title": _("보안 토큰이 맞지 않습니다"),
        "error_text": _(
            "페이지를 연 지 오래되었거나 쿠키가 꺼져 있습니다. 새로고침한 뒤 다시 보내 주세요."
        ),
        # A form's text is not echoed from a refused (possibly forged) request: the browser's
        # back button returns to the page with the typed text still in its box.
        "go_back": request.method == "POST",
    }
    return render(request, "error_page.html", context, status=403)
