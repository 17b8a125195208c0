from django.urls import path

from . import views

app_name = "board"

urlpatterns = [
    path("", views.post_list, name="post-list"),
    path("<int:number>/", views.post_detail, name="post-detail"),
    path("<int:number>/comments/", views.comment_create, name="comment-create"),
    path("preview/<int:pk>/", views.post_preview, name="post-preview"),
    path("comments/<int:pk>/remove/", views.comment_remove, name="comment-remove"),
    path("comments/<int:pk>/restore/", views.comment_restore, name="comment-restore"),
    path("accounts/signup/", views.signup, name="signup"),
    path("language/<str:code>/", views.choose_language, name="language"),
]
