"""Comments, reports, decisions and suspensions."""

from django.contrib import admin, messages
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services, suspension
from ..models import Comment, Decision, Report, Suspension
from .common import LargeTablePaginator, ValidLookupsMixin


class CommentStateFilter(admin.SimpleListFilter):
    title = _("상태")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("visible", _("보임")),
            ("by_moderator", _("관리자가 삭제")),
            ("by_author", _("글쓴이가 삭제")),
        ]

    def queryset(self, request, queryset):
        by_author = Q(removed_by=F("author__user"))
        if self.value() == "visible":
            return queryset.filter(is_removed=False)
        if self.value() == "by_moderator":
            return queryset.filter(is_removed=True).exclude(by_author)
        if self.value() == "by_author":
            return queryset.filter(by_author, is_removed=True)
        return queryset


@admin.register(Comment)
class CommentAdmin(ValidLookupsMixin, admin.ModelAdmin):
    list_display = ["post", "author", "excerpt", "created_at", "state", "removed_by"]
    list_filter = [CommentStateFilter, "created_at"]
    search_fields = ["body", "author__name", "post__title"]
    raw_id_fields = ["post", "author"]
    list_select_related = ["post", "author", "removed_by"]
    readonly_fields = ["is_removed", "removed_by", "removed_at", "removal_reason", "ip_address"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    paginator = LargeTablePaginator
    ordering = ["-pk"]
    actions = ["remove_comments", "restore_comments"]

    @admin.display(description=_("내용"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(40)

    @admin.display(description=_("상태"))
    def state(self, obj):
        if not obj.is_removed:
            return _("보임")
        return _("글쓴이가 삭제") if obj.removed_by_author else _("관리자가 삭제")

    def get_readonly_fields(self, request, obj=None):
        # Moving a comment to another article would leave both articles' counts wrong.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "post", "author"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=[*form.changed_data])
        else:
            services.save_new_comment(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # removal is soft and keeps the counters: the "remove" action

    # The very same services as the article page's remove and restore controls.
    @admin.action(description=_("선택한 댓글 삭제"), permissions=["moderate"])
    def remove_comments(self, request, queryset):
        done = sum(
            services.remove_comment(c, by=request.user, reason=str(_("관리 화면에서 일괄 삭제")))
            for c in queryset.select_related("author")
        )
        self.message_user(
            request,
            ngettext("댓글 %d개를 삭제했습니다.", "댓글 %d개를 삭제했습니다.", done) % done,
            messages.SUCCESS,
        )

    @admin.action(description=_("선택한 댓글 되살리기"), permissions=["moderate"])
    def restore_comments(self, request, queryset):
        done = sum(
            services.restore_comment(c, by=request.user) for c in queryset.select_related("author")
        )
        self.message_user(
            request,
            ngettext("댓글 %d개를 되살렸습니다.", "댓글 %d개를 되살렸습니다.", done) % done,
            messages.SUCCESS,
        )

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)


# Reports and suspensions (board.reports, board.suspension) ----------------------------------


class SuspensionStateFilter(admin.SimpleListFilter):
    title = _("상태")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("정지 중")), ("over", _("기간 끝남")), ("lifted", _("해제됨"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.active(now)
        if self.value() == "over":
            return queryset.filter(lifted_at__isnull=True, until__lte=now)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    """Staff and site-wide moderators suspend any account here (the queue suspends only the
    author of a reported item); the history stays, lifted or over."""

    list_display = ["user", "starts_at", "until", "reason", "suspended_by", "active", "lifted_at"]
    list_filter = [SuspensionStateFilter, "starts_at", "until"]
    search_fields = ["user__username", "reason"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "suspended_by", "lifted_by"]
    fields = ["user", "until", "reason", "starts_at", "suspended_by", "lifted_at", "lifted_by"]
    readonly_fields = ["starts_at", "suspended_by", "lifted_at", "lifted_by"]
    actions = ["lift_suspensions"]

    @admin.display(description=_("정지 중"), boolean=True)
    def active(self, obj):
        return obj.is_active

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "user"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.suspended_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            services.record(
                request.user, obj.user, _("이용 정지: %(reason)s") % {"reason": obj.reason or "-"}
            )

    def has_add_permission(self, request):
        return suspension.may_suspend(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # the history stays: lift instead

    @admin.action(description=_("선택한 이용 정지 해제"), permissions=["change"])
    def lift_suspensions(self, request, queryset):
        done = sum(suspension.lift(s, by=request.user) for s in queryset.select_related("user"))
        self.message_user(
            request,
            ngettext("이용 정지 %d건을 해제했습니다.", "이용 정지 %d건을 해제했습니다.", done)
            % done,
            messages.SUCCESS,
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports as stored, reporter included (the queue shows no reporter): read only."""

    list_display = ["created_at", "reporter", "board", "post", "comment", "reason", "decision"]
    list_filter = ["reason", ("decision", admin.EmptyFieldListFilter), "board"]
    list_select_related = ["reporter", "board", "post", "comment", "decision"]
    raw_id_fields = ["reporter", "post", "comment", "decision"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["decided_at", "action", "moderator", "post", "comment", "reason"]
    list_filter = ["action", "decided_at"]
    list_select_related = ["moderator", "post", "comment"]
    raw_id_fields = ["post", "comment", "moderator"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
