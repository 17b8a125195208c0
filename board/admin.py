from django.contrib import admin

from . import services
from .models import Author, Board, Comment, Post


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "post_count", "last_number"]
    readonly_fields = ["post_count", "last_number"]

    def has_delete_permission(self, request, obj=None):
        return False  # posts hang on the board; removing it would take them all


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "user"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "author",
        "published_at",
        "views",
        "comment_count",
        "is_notice",
        "has_image",
    ]
    list_display_links = ["number", "title"]
    list_filter = ["is_notice", "has_image", "board"]
    search_fields = ["title", "body", "author__name"]
    date_hierarchy = "published_at"
    readonly_fields = ["number", "views", "comment_count"]
    fields = [
        "board",
        "number",
        "title",
        "body",
        "author",
        "published_at",
        "is_notice",
        "has_image",
        "views",
        "comment_count",
    ]
    list_select_related = ["author"]
    show_full_result_count = False  # no COUNT(*) over a million posts per admin page

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.publish_new_post(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a hard delete would break the numbering; removal is soft (issue 3)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["post", "author", "created_at", "is_removed"]
    list_filter = ["is_removed"]
    search_fields = ["body", "author__name"]
    raw_id_fields = ["post", "author"]
    list_select_related = ["post", "author"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.save_new_comment(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # removal is soft and keeps the counters; see board.services
