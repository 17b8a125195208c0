from types import SimpleNamespace

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import EmptyResultSet, FullResultSet, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, F, Max, OuterRef, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import reading, services, suspension, views
from .forms import AttachmentForm, PostImageForm, file_size
from .models import (
    Attachment,
    Author,
    Board,
    Category,
    Comment,
    Decision,
    Post,
    PostImage,
    Report,
    Suspension,
)

# The site's name, not Django's, on every admin page and the login page.
admin.site.site_title = settings.SITE_NAME
admin.site.site_header = format_lazy(_("{site} 관리"), site=settings.SITE_NAME)
admin.site.index_title = _("관리 화면")


def boolean_icon(value):
    """Django's yes/no/unknown icon, whose alt text is the English "True" or "False" (what a
    screen reader reads out): the same icon with a Korean alt."""
    icon, label = {
        True: ("yes", _("예")),
        False: ("no", _("아니요")),
        None: ("unknown", _("알 수 없음")),
    }[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), label)


# Where the admin looks it up (admin.utils and admin.helpers import it at each call).
admin_list._boolean_icon = boolean_icon


class LargeTablePaginator(Paginator):
    """Admin lists over a million rows with neither COUNT(*) nor a deep OFFSET.

    Unfiltered and in the default newest-first order (by id), a large table's total is its
    highest id, read from the primary key's index, and page p is a range of ids: a seek, as
    on the reader's pages. Rows are never deleted (removal is soft), so ids have few gaps and
    pages are full or nearly. A filtered, searched or re-sorted list counts and offsets what
    matched, as Django does; staff narrow a million rows with filters before paging deep.
    """

    exact_below = 10_000

    def seekable(self):
        query = self.object_list.query
        # The admin repeats "-pk" to make its ordering total; newest first is all it says.
        return not query.where and set(query.order_by) == {"-pk"}

    @cached_property
    def top(self):
        model = self.object_list.model
        return model._default_manager.aggregate(top=Max("pk"))["top"] or 0

    @cached_property
    def count(self):
        if self.seekable() and self.top >= self.exact_below:
            return self.top
        return super().count

    def page(self, number):
        if not (self.seekable() and self.top >= self.exact_below):
            return super().page(number)
        number = self.validate_number(number)
        high = self.top - (number - 1) * self.per_page
        rows = self.object_list.filter(pk__lte=high, pk__gt=high - self.per_page)
        return self._get_page(rows, number, self)


class ValidLookupsMixin:
    """Out-of-range filter values in the query string (a year of 2147483648 or 0, month 13,
    day 0, from the date hierarchy or typed by hand) answer with the whole list and a notice
    (Django's redirect to ?e=1), not a 500. Some fail while the list is built (datetime() in
    the date hierarchy), others only when the query is compiled (a __year's bounds), so
    compile it here, before the page renders."""

    def get_changelist_instance(self, request):
        try:
            changelist = super().get_changelist_instance(request)
            changelist.queryset.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass  # a valid query that matches nothing or everything
        except (IncorrectLookupParameters, OverflowError, ValueError) as error:
            self.message_user(
                request, _("필터 값이 올바르지 않아 전체 목록을 보여 드립니다."), messages.WARNING
            )
            raise IncorrectLookupParameters(error) from error
        return changelist


class CategoryInline(admin.TabularInline):
    """A board's categories, in the order readers see them; one in use cannot be deleted
    (its articles' listing hangs on it: the admin says which articles)."""

    model = Category
    fields = ["name", "position", "post_count"]
    readonly_fields = ["post_count"]
    extra = 1


@admin.register(Board)
class BoardAdmin(ValidLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "post_count", "last_number"]
    readonly_fields = ["post_count", "last_number", "next_publish_at"]
    inlines = [CategoryInline]

    def save_model(self, request, obj, form, change):
        # Only what the form edits: the counters move under other requests meanwhile (F()
        # updates), and a whole-row save would put back the values the form was loaded with.
        obj.save(update_fields=form.changed_data if change else None)

    def has_delete_permission(self, request, obj=None):
        return False  # posts hang on the board; removing it would take them all


# Who may sign an article: staff. Readers and guests are authors too (of comments, of imported
# articles), and there are ever more of them.
STAFF_AUTHORS = Q(user__is_staff=True) | Q(user__is_superuser=True)


@admin.register(Author)
class AuthorAdmin(ValidLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "user"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        # The article form's author autocomplete (the admin names the field asking).
        asking = [request.GET.get(k) for k in ("app_label", "model_name", "field_name")]
        if asking == ["board", "post", "author"]:
            queryset = queryset.filter(STAFF_AUTHORS)
        return queryset, duplicates


class PostImageInline(admin.TabularInline):
    model = PostImage
    form = PostImageForm
    extra = 1
    verbose_name_plural = _("그림 (본문에 [image:1]처럼 첨부 순서로 넣습니다)")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 1
    fields = ["file", "file_name", "file_size", "file_downloads"]
    readonly_fields = ["file_name", "file_size", "file_downloads"]
    verbose_name_plural = _("첨부 파일 (독자가 내려받습니다)")

    # An empty row (no file yet) shows nothing in these columns, not "- - 0".
    @admin.display(description=_("파일 이름"))
    def file_name(self, obj):
        return obj.name if obj.pk else ""

    @admin.display(description=_("크기"))
    def file_size(self, obj):
        return file_size(obj.size) if obj.pk else ""

    @admin.display(description=_("내려받은 수"))
    def file_downloads(self, obj):
        return obj.downloads if obj.pk else ""


class PostStateFilter(admin.SimpleListFilter):
    title = _("상태")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("listed", _("게시 중")), ("scheduled", _("예약")), ("removed", _("삭제됨"))]

    def queryset(self, request, queryset):
        if self.value() == "listed":
            return queryset.listed()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "removed":
            return queryset.filter(is_removed=True)
        return queryset


class PostAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        board = cleaned.get("board") or getattr(self.instance, "board", None)
        category = cleaned.get("category")
        if category is not None and board is not None and category.board_id != board.pk:
            self.add_error("category", _("이 게시판의 분류가 아닙니다."))
        return cleaned

    def clean_published_at(self):
        value = self.cleaned_data["published_at"]
        if self.instance.is_listed and value > timezone.now():
            raise forms.ValidationError(
                _("이미 게시된 글은 미래 시각으로 옮길 수 없습니다. 숨기려면 삭제하세요.")
            )
        return value


class PendingImage:
    """An image uploaded with a previewed form: a preview stores no file, so its place in the
    body shows a stand-in saying so (with the figure markup readers get)."""

    def __init__(self, name):
        self.image = SimpleNamespace(url=static("board/image-not-saved.svg"))
        self.caption = _(
            "그림 %(name)s: 저장하면 이 자리에 들어갑니다 "
            "(미리 보기는 올린 파일을 저장하지 않습니다)."
        ) % {"name": name}


def preview_images(request, saved):
    """The images a previewed form would leave the article with, in their order: the stored
    ones not ticked for deletion, and a stand-in for each one uploaded (a new row, or a new
    file on a stored row). Returns them and how many were uploaded."""
    by_id = {str(image.pk): image for image in saved}
    try:
        rows = min(int(request.POST.get("images-TOTAL_FORMS", "")), 1000)
    except ValueError:
        return saved, 0  # no inline in the form (or a mangled one): the stored images
    images, new = [], 0
    for i in range(rows):
        prefix = f"images-{i}-"
        if request.POST.get(prefix + "DELETE"):
            continue
        upload = request.FILES.get(prefix + "image")
        if upload is not None:
            images.append(PendingImage(upload.name))
            new += 1
        elif request.POST.get(prefix + "id") in by_id:
            images.append(by_id[request.POST[prefix + "id"]])
    return images, new


def preview_files(request, post):
    """The files a previewed form would leave the article with: the stored ones not ticked
    for deletion (as the reader's page lists them), and how many were uploaded (a preview
    stores none, so the page can only say so)."""
    new = sum(
        1
        for key in request.FILES
        if key.startswith("attachments-") and key.endswith("-file")
        and not request.POST.get(key.removesuffix("file") + "DELETE")
    )  # fmt: skip
    if post.pk is None or not post.has_file:
        return [], new
    deleted = {
        request.POST.get(key.removesuffix("DELETE") + "id")
        for key in request.POST
        if key.startswith("attachments-") and key.endswith("-DELETE")
    }
    return [f for f in reading.attachments(post.pk) if str(f.pk) not in deleted], new


@admin.register(Post)
class PostAdmin(ValidLookupsMixin, admin.ModelAdmin):
    form = PostAdminForm
    list_display = [
        "number",
        "title",
        "author",
        "published_when",  # the date alone for an article kept from the source's listing
        "views",
        "comment_count",
        "is_notice",
        "state",
    ]
    list_display_links = ["number", "title"]
    list_filter = [
        PostStateFilter, "is_notice", "is_secret", "has_image", "has_file", "board", "published_at"
    ]  # fmt: skip
    search_fields = ["title", "body", "author__name"]
    date_hierarchy = "published_at"
    readonly_fields = ["number", "views", "comment_count", "has_image", "has_file", "removal"]
    list_select_related = ["author"]
    show_full_result_count = False  # no second COUNT(*) over a million posts per admin page
    paginator = LargeTablePaginator
    ordering = ["-pk"]  # newest first, and pages by id (see LargeTablePaginator)
    inlines = [PostImageInline, AttachmentInline]
    actions = ["remove_posts", "restore_posts"]
    # Searched as staff type (AuthorAdmin.get_search_results keeps staff authors only).
    autocomplete_fields = ["author"]

    def get_fields(self, request, obj=None):
        # The counters and marks are the article's record once it exists: a new article has
        # none yet, so its add form does not show them.
        new = obj is None
        fields = ["board"] + ([] if new else ["number"]) + ["category", "title", "body_format"]
        fields.append("body")
        if request.user.is_superuser:
            fields.append("author")
        fields += ["published_at", "is_notice", "is_secret"]
        if not new:
            fields += ["has_image", "has_file", "views", "comment_count"]
        if not new and obj.is_removed:
            fields.append("removal")
        return fields

    def get_queryset(self, request):
        # Only the articles of the boards this staff member may write in (services); no
        # filter for one who may write in all (the large table's seek needs none).
        posts = super().get_queryset(request)
        boards = services.writable_boards(request.user)
        if Board.objects.exclude(pk__in=boards.values("pk")).exists():
            posts = posts.filter(board__in=boards.values("pk"))
        return posts

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "board":
            kwargs["queryset"] = services.writable_boards(request.user)
        if db_field.name == "author":
            kwargs["queryset"] = Author.objects.filter(STAFF_AUTHORS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        boards = services.writable_boards(request.user)
        default = boards.filter(slug=settings.BOARD_SLUG).first() or boards.first()
        return {
            "board": default.pk if default else None,
            **super().get_changeform_initial_data(request),
        }

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Its board is fixed: only its categories are offered (to one who may change it).
        if obj is not None and "category" in form.base_fields:
            form.base_fields["category"].queryset = Category.objects.filter(board=obj.board_id)
        if "author" in form.base_fields:
            author = form.base_fields["author"]
            author.required = False
            author.help_text = _("비우면 내 글쓴이 이름으로 씁니다.")
            author.error_messages["invalid_choice"] = _("운영진 글쓴이만 고를 수 있습니다.")
            if obj is not None:  # an imported article by a reader or a guest keeps its author
                author.queryset = Author.objects.filter(STAFF_AUTHORS | Q(pk=obj.author_id))
        return form

    @admin.display(description=_("상태"))
    def state(self, obj):
        if obj.is_removed:
            return _("삭제됨")
        return _("게시 중") if obj.is_listed else _("예약")

    @admin.display(description=_("삭제 기록"))
    def removal(self, obj):
        when = timezone.localtime(obj.removed_at) if obj.removed_at else None
        return format_html(
            "{} · {}", obj.removed_by or "-", f"{when:%Y.%m.%d %H:%M}" if when else "-"
        )

    def get_readonly_fields(self, request, obj=None):
        # An article stays on its board: its number and place belong to that board.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "board"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not obj.author_id:
            obj.author = services.author_for(request.user)
        if not change:
            services.publish_new_post(obj)
        # An edit is saved once, in save_related, after its images.

    def save_related(self, request, form, formsets, change):
        # Images and files are saved after the article: render its body again with them in
        # place, and set its image and file marks.
        super().save_related(request, form, formsets, change)
        if change:
            services.update_post(form.instance, fields=self.edited_fields(form))
        else:
            services.update_post(form.instance, fields=[])

    @staticmethod
    def edited_fields(form):
        return [name for name in form.changed_data if name in services.EDITABLE]

    def has_delete_permission(self, request, obj=None):
        return False  # removal is soft and undoable: the "remove" action

    # The article's own page: remove or restore it, preview the form unsaved ----------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="board_post_add_preview"),
            path("<path:object_id>/preview/", view(self.preview_view), name="board_post_preview"),
            path("<path:object_id>/remove/", view(self.remove_view), name="board_post_remove"),
            path("<path:object_id>/restore/", view(self.restore_view), name="board_post_restore"),
            *super().get_urls(),
        ]

    def remove_view(self, request, object_id):
        return self.change_state(request, object_id, services.remove_post, restore=False)

    def restore_view(self, request, object_id):
        return self.change_state(request, object_id, services.restore_post, restore=True)

    def change_state(self, request, object_id, operation, restore):
        """The list's remove and restore actions for one article, from its page: the same
        service, the same permission (change, in a board the user writes in: get_object
        looks only there)."""
        post = self.get_object(request, unquote(object_id))
        if post is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        page = reverse("admin:board_post_change", args=[post.pk])
        if request.method != "POST":
            return redirect(page)
        title = post.title
        if operation(post, by=request.user):
            done = (
                _("“%(title)s” 글을 되살렸습니다.")
                if restore
                else _("“%(title)s” 글을 삭제했습니다. 독자에게 보이지 않으며, 되살릴 수 있습니다.")
            )
            self.message_user(request, done % {"title": title}, messages.SUCCESS)
        else:
            already = (
                _("삭제된 글이 아니어서 되살릴 것이 없습니다.")
                if restore
                else _("이미 삭제된 글입니다.")
            )
            self.message_user(request, already, messages.WARNING)
        return redirect(page)

    def preview_view(self, request, object_id=None):
        """The add or change form, posted unsaved, shown as readers will see the article
        (in a new tab): nothing stored, nothing counted."""
        post = None
        if object_id is not None:
            post = self.get_object(request, unquote(object_id))
            if post is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
            allowed = self.has_change_permission(request, post)
            form_page = reverse("admin:board_post_change", args=[post.pk])
        else:
            allowed = self.has_add_permission(request)
            form_page = reverse("admin:board_post_add")
        if not allowed:
            raise PermissionDenied
        if request.method != "POST":  # an address opened again: there is no form to show
            return redirect(form_page)
        saved_images = list(post.images.all()) if post is not None else []
        form = self.get_form(request, post, change=post is not None)(
            request.POST, request.FILES, instance=post
        )
        if not form.is_valid():
            errors = [
                (form.fields[name].label if name in form.fields else "", messages_)
                for name, messages_ in form.errors.items()
            ]
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("미리 보기를 만들 수 없습니다"),
                "errors": errors,
            }
            return TemplateResponse(request, "admin/board/post/preview_invalid.html", context)
        post = form.instance
        if not post.author_id:  # as save_model would, without making an author row
            post.author = Author.objects.filter(user=request.user).first() or Author(
                name=request.user.get_full_name() or request.user.get_username(),
                user=request.user,
            )
        post.author_name = post.author.name
        post.author_is_staff = post.author.user is not None and post.author.user.is_staff
        if post.pk is None and post.published_at <= timezone.now():
            post.seq = 0  # listed once saved: the reader's page says so, not "scheduled"
        images, new_images = preview_images(request, saved_images)
        services.render_post(post, images=images)
        stored, new_files = preview_files(request, post)
        return views.preview_page(
            request,
            post,
            stored,
            template="board/post_preview_unsaved.html",
            new_images=new_images,
            new_files=new_files,
        )

    @admin.action(description=_("선택한 글 삭제 (되살릴 수 있음)"), permissions=["change"])
    def remove_posts(self, request, queryset):
        done = sum(services.remove_post(post, by=request.user) for post in queryset)
        self.message_user(
            request, ngettext("%d개 글을 삭제했습니다.", "%d개 글을 삭제했습니다.", done) % done
        )

    @admin.action(description=_("선택한 글 되살리기"), permissions=["change"])
    def restore_posts(self, request, queryset):
        done = sum(services.restore_post(post, by=request.user) for post in queryset)
        self.message_user(
            request, ngettext("%d개 글을 되살렸습니다.", "%d개 글을 되살렸습니다.", done) % done
        )


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
