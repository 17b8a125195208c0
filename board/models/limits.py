"""What the rate limits count: sign-ups, password-reset mails and searches per address."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignupRecord(models.Model):
    """One account made from one address: the sign-up limit counts these (board.limits)."""

    address = models.CharField(_("주소"), max_length=45)
    created_at = models.DateTimeField(_("가입 시각"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("가입 기록")
        verbose_name_plural = _("가입 기록")
        indexes = [models.Index(fields=["address", "created_at"], name="signup_address_idx")]

    def __str__(self):
        return f"{self.address} {self.created_at:%Y-%m-%d %H:%M}"


class ResetRequest(models.Model):
    """One password-reset mail asked for, counted under its client address and under its
    (hashed) email address by the reset limits (board.limits.reserve_reset)."""

    key = models.CharField(_("기준"), max_length=80)
    created_at = models.DateTimeField(_("요청 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("비밀번호 재설정 요청")
        verbose_name_plural = _("비밀번호 재설정 요청")
        indexes = [models.Index(fields=["key", "created_at"], name="reset_key_idx")]

    def __str__(self):
        return f"{self.key} {self.created_at:%Y-%m-%d %H:%M}"


class SearchRate(models.Model):
    """Searches from one client address in one fixed time window (board.search.throttle).
    In the database, not the cache: the default setup has no shared cache."""

    address = models.CharField(_("주소"), max_length=64)
    seconds = models.PositiveIntegerField(_("구간 길이(초)"))
    start = models.BigIntegerField(_("구간 시작(유닉스 시각)"))
    count = models.PositiveIntegerField(_("검색 수"), default=0)

    class Meta:
        ordering = ["-start", "address"]
        verbose_name = _("검색 횟수")
        verbose_name_plural = _("검색 횟수")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "seconds", "start"], name="search_rate_unique"
            ),
        ]
        # Old windows are deleted by their start.
        indexes = [models.Index(fields=["start"], name="search_rate_start_idx")]

    def __str__(self):
        return f"{self.address} {self.seconds}s@{self.start}: {self.count}"
