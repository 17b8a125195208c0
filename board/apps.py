import logging
import os

# axes' and the admin's AppConfig are imported as modules, not classes: Django takes the one
# AppConfig class this module holds by default for the "board" app.
import axes.apps
from django.apps import AppConfig
from django.contrib.admin import AdminSite
from django.contrib.admin import apps as admin_apps
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def private_sqlite_files(sender, connection, **kwargs):
    """The SQLite file holds password hashes and live session keys: owner-only (0600), as are
    its -wal and -shm files, whatever the umask it was created under. A new file is empty
    when this runs (SQLite creates it on connecting, before any row is written into it)."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    for path in (name, f"{name}-wal", f"{name}-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            pass  # an in-memory database, or no WAL yet
        except OSError as error:  # another user's file: say so, but keep serving
            logger.warning("Cannot make %s owner-only: %s", path, error)


def delete_stored_file(sender, instance, **kwargs):
    """An image or attachment row deleted (the admin's inline, a deleted article): its file
    goes too, once the deletion is committed, so a rolled-back deletion keeps it and no file
    that nothing points at stays on disk."""
    field = instance.file if sender.__name__ == "Attachment" else instance.image
    if field.name:
        storage, name = field.storage, field.name
        transaction.on_commit(lambda: storage.delete(name))


class BoardConfig(AppConfig):
    name = "board"
    verbose_name = _("게시판")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        connection_created.connect(private_sqlite_files)
        for model in ("Attachment", "PostImage"):
            post_delete.connect(delete_stored_file, sender=self.get_model(model))


class BoardAdminSite(AdminSite):
    """The admin with the board's own models first and django-axes' lockout records last, on
    the index and in the navigation sidebar (Django sorts apps by name, which put "Axes"
    above the board's articles)."""

    def get_app_list(self, request, app_label=None):
        order = {"board": 0, "axes": 2}
        # sorted() is stable: the apps in between keep Django's alphabetical order.
        apps = super().get_app_list(request, app_label)
        return sorted(apps, key=lambda app: order.get(app["app_label"], 1))


class BoardAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "board.apps.BoardAdminSite"


class LoginLockoutConfig(axes.apps.AppConfig):
    """django-axes under a name an editor reads (its models are translated in the catalogue)."""

    default = False
    verbose_name = _("로그인 잠금")
