"""Boards, authors and articles: the article form, its preview, remove and restore."""

from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import reading, services, views
from ..forms import AttachmentForm, PostImageForm, file_size
from ..models import Attachment, Author, Board, Category, Post, PostImage
from .common import LargeTablePaginator, ValidLookupsMixin


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
                name=services.author_name(request.user), user=request.user
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
