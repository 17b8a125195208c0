from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef


class BoardBackend(ModelBackend):
    """Django's model backend, loading the moderator flag in the same query as the user.

    The article page asks whether the reader may moderate; without this it costs two more
    queries (the user's and the groups' permissions) on every signed-in page view.
    """

    def get_user(self, user_id):
        perm = Permission.objects.filter(
            content_type__app_label="board", codename="moderate_comment"
        )
        is_moderator = Exists(perm.filter(user=OuterRef("pk"))) | Exists(
            perm.filter(group__user=OuterRef("pk"))
        )
        user_model = get_user_model()
        user = (
            user_model._default_manager.annotate(is_moderator=is_moderator)
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
