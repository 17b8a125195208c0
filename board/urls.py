from django.urls import path, register_converter

from . import account_views, comment_views, converters, desk, file_views, views

register_converter(converters.NumberConverter, "num")

app_name = "board"

urlpatterns = [
    path("", views.post_list, name="post-list"),
    path("<num:number>/", views.post_detail, name="post-detail"),
    path("<num:number>/comments/", comment_views.comment_create, name="comment-create"),
    path("<num:number>/vote/", comment_views.post_vote, name="post-vote"),
    path("preview/<num:pk>/", views.post_preview, name="post-preview"),
    path("files/<num:pk>/", file_views.attachment_download, name="attachment"),
    path("comments/<num:pk>/", views.comment_link, name="comment"),
    path("comments/<num:pk>/remove/", comment_views.comment_remove, name="comment-remove"),
    path("comments/<num:pk>/restore/", comment_views.comment_restore, name="comment-restore"),
    path("comments/<num:pk>/vote/", comment_views.comment_vote, name="comment-vote"),
    path("<num:number>/report/", desk.report_post, name="post-report"),
    path("comments/<num:pk>/report/", desk.report_comment, name="comment-report"),
    path("moderation/", desk.desk, name="desk"),
    path("moderation/actions/", desk.desk_action, name="desk-action"),
    path("moderation/reports/", desk.queue, name="report-queue"),
    path("moderation/reports/<str:kind>/<num:pk>/", desk.decide, name="report-decide"),
    path("moderation/suspensions/", desk.suspensions, name="suspensions"),
    path("moderation/suspensions/<num:pk>/lift/", desk.lift, name="suspension-lift"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("language/<str:code>/", account_views.choose_language, name="language"),
    # Every other board at its address name (the default board's redirect to the ones above).
    path("<slug:slug>/", views.post_list, name="post-list"),
    path("<slug:slug>/<num:number>/", views.post_detail, name="post-detail"),
    path("<slug:slug>/<num:number>/comments/", comment_views.comment_create, name="comment-create"),
    path("<slug:slug>/<num:number>/vote/", comment_views.post_vote, name="post-vote"),
    path("<slug:slug>/<num:number>/report/", desk.report_post, name="post-report"),
]
