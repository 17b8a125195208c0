"""Accounts and groups in Korean, and django-axes' login records for superusers only."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from ..models import Suspension


class SuspendedFilter(admin.SimpleListFilter):
    title = _("이용 정지")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("정지 중")), ("no", _("정지 아님"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_suspended=True)
        if self.value() == "no":
            return queryset.filter(is_suspended=False)
        return queryset


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)

PERMISSION_ACTIONS = {"add": _("추가"), "change": _("변경"), "delete": _("삭제"), "view": _("보기")}


def permission_label(permission):
    """A permission as a Korean editor reads it: "글 | 글 추가", not Django's stored English
    name ("Can add 글"). Custom permissions keep their own (Korean) names."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action, _sep, model_name = permission.codename.partition("_")
    name = permission.name
    if action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        name = f"{model._meta.verbose_name} {PERMISSION_ACTIONS[action]}"
    return f"{model._meta.app_config.verbose_name} | {name}"


class KoreanAccountsMixin:
    """Permissions listed in Korean, and the delete confirmation without the rows linking
    accounts, groups and permissions: Django names those "User_groups object (1)" in English,
    and they go with the account or group anyway."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        links = [User.groups.through, User.user_permissions.through, Group.permissions.through]
        prefixes = tuple(f"{capfirst(m._meta.verbose_name)}: " for m in links)
        plurals = {str(m._meta.verbose_name_plural) for m in links}

        def prune(items):
            kept = []
            for item in items:
                if isinstance(item, list):
                    if pruned := prune(item):
                        kept.append(pruned)
                elif not str(item).startswith(prefixes):
                    kept.append(item)
            return kept

        counts = {name: n for name, n in counts.items() if str(name) not in plurals}
        return prune(deleted), counts, perms_needed, protected


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django appends its warning to this help text in English, outside its catalogue.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("끄면 이 사용자의 지금 비밀번호는 사라집니다."),
    )


@admin.register(Group)
class BoardGroupAdmin(KoreanAccountsMixin, GroupAdmin):
    pass


@admin.register(User)
class BoardUserAdmin(KoreanAccountsMixin, UserAdmin):
    """Django's user admin with a suspension column and filter (in the list's one query)."""

    change_password_form = PasswordChangeForm
    list_display = [*UserAdmin.list_display, "suspended"]
    list_filter = [*UserAdmin.list_filter, SuspendedFilter]

    def get_queryset(self, request):
        active = Suspension.objects.active().filter(user=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_suspended=Exists(active))

    @admin.display(description=_("이용 정지"), boolean=True, ordering="is_suspended")
    def suspended(self, obj):
        return obj.is_suspended


class SuperusersOnly:
    """django-axes' login records (addresses, user names tried, lockouts) are the site
    operator's business: editors and moderators do not see them at all, whatever their
    permissions; superusers find them last (board.apps.BoardAdminSite)."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


for lockout_model in apps.get_app_config("axes").get_models():
    if admin.site.is_registered(lockout_model):  # unless AXES_ENABLE_ADMIN is off
        axes_admin = type(admin.site.get_model_admin(lockout_model))
        admin.site.unregister(lockout_model)
        admin.site.register(
            lockout_model, type(axes_admin.__name__, (SuperusersOnly, axes_admin), {})
        )
